import { describe, expect, it } from "vitest";
import { errorCode, gql, gqlData, withDb } from "./support.ts";

const FIELDS = "id name description parentId active version createdAt updatedAt";

async function createCategory(input: Record<string, unknown>, headers: Record<string, string> = {}) {
  const result = await gqlData(`mutation($input: CreateCategoryInput!) { createCategory(input: $input) { ${FIELDS} } }`, { input }, headers);
  return { ...result.createCategory, position: result.position };
}

async function readCategory(id: string, minPosition?: string) {
  const result = await gqlData(`query($id: ID!, $p: String) { category(id: $id, minPosition: $p) { ${FIELDS} parent { id } children { id } } }`, {
    id,
    p: minPosition,
  });
  return result.category;
}

describe("category mutations and queries", () => {
  it("createCategory returns the command-side entity with its version and position", async () => {
    const created = await createCategory({ name: " Garden ", description: "Outdoor" });
    expect(created).toMatchObject({ name: "Garden", description: "Outdoor", parentId: null, active: true, version: 1 });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(created.createdAt)).not.toBeNaN();
    expect(created.position).toMatch(/^\d+-\d+$/);
  });

  it("category(id) with minPosition sees the write, with parent and children", async () => {
    const parent = await createCategory({ name: "Electronics" });
    const child = await createCategory({ name: "Phones", parentId: parent.id });
    const readChild = await readCategory(child.id, child.position);
    expect(readChild).toMatchObject({ id: child.id, name: "Phones", parentId: parent.id, parent: { id: parent.id }, version: 1 });
    const readParent = await readCategory(parent.id, child.position);
    expect(readParent.children).toEqual([{ id: child.id }]);
  });

  it("the X-Min-Position header works like the argument", async () => {
    const created = await createCategory({ name: "Header" });
    const result = await gqlData(`query($id: ID!) { category(id: $id) { name } }`, { id: created.id }, { "x-min-position": created.position });
    expect(result.category).toEqual({ name: "Header" });
  });

  it("updateCategory changes fields, moves and returns to root", async () => {
    const root = await createCategory({ name: "Root A" });
    const other = await createCategory({ name: "Root B" });
    const updated = await gqlData(`mutation($input: UpdateCategoryInput!) { updateCategory(input: $input) { ${FIELDS} } }`, {
      input: { id: root.id, name: "Root A2", description: "new", parentId: other.id },
    });
    expect(updated.updateCategory).toMatchObject({ name: "Root A2", description: "new", parentId: other.id, version: 2 });
    const back = await gqlData(`mutation($input: UpdateCategoryInput!) { updateCategory(input: $input) { parentId version } }`, {
      input: { id: root.id, parentId: null },
    });
    expect(back.updateCategory).toEqual({ parentId: null, version: 3 });
    expect(await readCategory(root.id, back.position)).toMatchObject({ name: "Root A2", parentId: null, version: 3 });
  });

  it("deleteCategory deletes softly; the category stays readable, inactive, and out of the list", async () => {
    const parent = await createCategory({ name: "Shelf" });
    const doomed = await createCategory({ name: "Doomed", parentId: parent.id });
    const deleted = await gqlData(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id active version } }`, { id: doomed.id });
    expect(deleted.deleteCategory).toEqual({ id: doomed.id, active: false, version: 2 });
    expect(await readCategory(doomed.id, deleted.position)).toMatchObject({ active: false });
    const listed = (includeDeleted: boolean) =>
      gqlData(`query($id: ID!, $all: Boolean) { categories(parentId: $id, includeDeleted: $all) { id active } }`, { id: parent.id, all: includeDeleted });
    expect((await listed(false)).categories).toEqual([]);
    expect((await listed(true)).categories).toEqual([{ id: doomed.id, active: false }]);
  });

  it("categories lists children of a parent with limit and offset", async () => {
    const parent = await createCategory({ name: "Paged" });
    let last = "";
    for (const name of ["c", "a", "b"]) last = (await createCategory({ name, parentId: parent.id })).position;
    const all = await gqlData(`query($id: ID!, $p: String) { categories(parentId: $id, minPosition: $p) { name } }`, { id: parent.id, p: last });
    expect(all.categories).toEqual([{ name: "a" }, { name: "b" }, { name: "c" }]);
    const paged = await gqlData(`query($id: ID!) { categories(parentId: $id, limit: 1, offset: 1) { name } }`, { id: parent.id });
    expect(paged.categories).toEqual([{ name: "b" }]);
  });

  it("an Idempotency-Key makes a retried create return the first result and append nothing", async () => {
    const headers = { "idempotency-key": `create-${crypto.randomUUID()}` };
    const first = await createCategory({ name: "Once" }, headers);
    const again = await gql(`mutation($input: CreateCategoryInput!) { createCategory(input: $input) { ${FIELDS} } }`, { input: { name: "Once" } }, headers);
    expect({ ...again.data!.createCategory, position: again.extensions!.position }).toEqual(first);
    expect(again.extensions).toMatchObject({ replayed: true });
    const count = await withDb(async (db) => (await db.query("SELECT count(*)::int AS n FROM event_store.events WHERE aggregate_id = $1", [first.id])).rows[0].n);
    expect(count).toBe(1);
    // The same key for another command is a client mistake, not a retry.
    const other = await gql(`mutation { createCategory(input: { name: "Something else" }) { id } }`, {}, headers);
    expect(errorCode(other)).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("limits above 100 are capped", async () => {
    const parent = await createCategory({ name: "Capped" });
    const result = await gqlData(`query($id: ID!) { categories(parentId: $id, limit: 500) { id } }`, { id: parent.id });
    expect(result.categories).toEqual([]);
  });

  it("events carry correlation and causation ids", async () => {
    const created = await createCategory({ name: "Traced" }, { "x-correlation-id": "corr-123" });
    const metadata = await withDb(async (db) => (await db.query("SELECT metadata FROM event_store.events WHERE aggregate_id = $1", [created.id])).rows[0].metadata);
    expect(metadata).toMatchObject({ correlationId: "corr-123" });
    expect(metadata.causationId).toBe(metadata.commandId);
  });

  it("eventStoreStats has the seed's shape and counts the events", async () => {
    await createCategory({ name: "Counted" });
    const { eventStoreStats } = await gqlData(`{ eventStoreStats { totalEvents eventsByType { eventType count } latestSequence } }`);
    const byType = Object.fromEntries(eventStoreStats.eventsByType.map((e: { eventType: string; count: number }) => [e.eventType, e.count]));
    expect(byType["category.created"]).toBeGreaterThan(0);
    expect(eventStoreStats.totalEvents).toBe(Object.values(byType).reduce((a: number, b) => a + (b as number), 0));
    const truth = await withDb(async (db) => (await db.query("SELECT count(*)::int AS n, max(global_sequence)::text AS max FROM event_store.events")).rows[0]);
    expect(eventStoreStats.totalEvents).toBeLessThanOrEqual(truth.n);
    expect(BigInt(eventStoreStats.latestSequence)).toBeLessThanOrEqual(BigInt(truth.max));
  });
});

describe("category errors", () => {
  const create = (input: Record<string, unknown>) => gql(`mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }`, { input });
  const update = (input: Record<string, unknown>) => gql(`mutation($input: UpdateCategoryInput!) { updateCategory(input: $input) { id } }`, { input });
  const remove = (id: string) => gql(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id } }`, { id });
  const missing = "0190a000-0000-7000-8000-0000000000ff";

  it("VALIDATION_ERROR for a blank or too long name, a malformed id, a bad limit; nothing is written", async () => {
    const before = await withDb(async (db) => (await db.query("SELECT count(*)::int AS n FROM event_store.events")).rows[0].n);
    expect(errorCode(await create({ name: " " }))).toBe("VALIDATION_ERROR");
    expect(errorCode(await create({ name: "x".repeat(101) }))).toBe("VALIDATION_ERROR");
    expect(errorCode(await update({ id: "not-a-uuid", name: "x" }))).toBe("VALIDATION_ERROR");
    expect(errorCode(await gql(`{ categories(limit: 0) { id } }`))).toBe("VALIDATION_ERROR");
    expect(errorCode(await gql(`{ categories(offset: -1) { id } }`))).toBe("VALIDATION_ERROR");
    expect(errorCode(await gql(`{ category(id: "nope") { id } }`))).toBe("VALIDATION_ERROR");
    const after = await withDb(async (db) => (await db.query("SELECT count(*)::int AS n FROM event_store.events WHERE global_sequence > 0")).rows[0].n);
    expect(after - before).toBeGreaterThanOrEqual(0); // other tests may write concurrently; the next line is the real check
    const stray = await withDb(async (db) => (await db.query("SELECT count(*)::int AS n FROM command.categories WHERE length(name) > 100 OR btrim(name) = ''")).rows[0].n);
    expect(stray).toBe(0);
  });

  it("CATEGORY_NOT_FOUND for an unknown category, PARENT_NOT_FOUND for an unknown parent", async () => {
    const result = await update({ id: missing, name: "x" });
    expect(errorCode(result)).toBe("CATEGORY_NOT_FOUND");
    expect(errorCode(await remove(missing))).toBe("CATEGORY_NOT_FOUND");
    expect(errorCode(await create({ name: "Orphan", parentId: missing }))).toBe("PARENT_NOT_FOUND");
  });

  it("PARENT_DELETED, CATEGORY_DELETED and CATEGORY_HAS_CHILDREN", async () => {
    const parent = await createCategory({ name: "Parent" });
    const child = await createCategory({ name: "Child", parentId: parent.id });
    expect(errorCode(await remove(parent.id))).toBe("CATEGORY_HAS_CHILDREN");
    await gqlData(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id } }`, { id: child.id });
    await gqlData(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id } }`, { id: parent.id });
    expect(errorCode(await create({ name: "Late", parentId: parent.id }))).toBe("PARENT_DELETED");
    expect(errorCode(await update({ id: parent.id, name: "Zombie" }))).toBe("CATEGORY_DELETED");
    expect(errorCode(await remove(parent.id))).toBe("CATEGORY_DELETED");
  });

  it("CATEGORY_HAS_PRODUCTS while an active product is in the category; deleted products do not count", async () => {
    const shelf = await createCategory({ name: "Stocked" });
    const { createProduct } = await gqlData(`mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`, {
      input: { name: "On the shelf", categoryId: shelf.id, price: "2.50", stockQuantity: 1 },
    });
    const refused = await remove(shelf.id);
    expect(errorCode(refused)).toBe("CATEGORY_HAS_PRODUCTS");
    expect(refused.errors![0]!.extensions!.details).toEqual({ id: shelf.id, products: 1 });
    await gqlData(`mutation($id: ID!) { deleteProduct(input: { id: $id }) { id } }`, { id: createProduct.id });
    await gqlData(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { id } }`, { id: shelf.id });
  });

  it("CATEGORY_CYCLE when moving a category under its own descendant", async () => {
    const a = await createCategory({ name: "A" });
    const b = await createCategory({ name: "B", parentId: a.id });
    const c = await createCategory({ name: "C", parentId: b.id });
    expect(errorCode(await update({ id: a.id, parentId: c.id }))).toBe("CATEGORY_CYCLE");
    expect(errorCode(await update({ id: a.id, parentId: a.id }))).toBe("CATEGORY_CYCLE");
  });

  it("errors carry a message and the stable code only", async () => {
    const result = await update({ id: missing, name: "x" });
    expect(result.errors?.[0]).toMatchObject({ message: expect.stringContaining(missing), extensions: { code: "CATEGORY_NOT_FOUND" } });
  });
});

// The Idempotency-Key header as a client uses it: a key's first answer stands,
// whatever it was, and no command runs after its request was answered.
import { describe, expect, it } from "vitest";
import { errorCode, gql, gqlData, whileStreamLocked, withDb } from "./support.ts";

const key = (name: string) => ({ "idempotency-key": `${name}-${crypto.randomUUID()}` });

async function createCategory(name: string, parentId?: string): Promise<string> {
  return (await gqlData(`mutation($name: String!, $parentId: ID) { createCategory(input: { name: $name, parentId: $parentId }) { id } }`, { name, parentId }))
    .createCategory.id;
}

const renameCategory = (id: string, name: string, headers: Record<string, string> = {}) =>
  gql(`mutation($id: ID!, $name: String!) { updateCategory(input: { id: $id, name: $name }) { name version } }`, { id, name }, headers);

async function eventsOf(id: string): Promise<{ type: string; name: string | null }[]> {
  return withDb(async (db) =>
    (
      await db.query<{ type: string; name: string | null }>(
        "SELECT event_type AS type, event_data->>'name' AS name FROM event_store.events WHERE aggregate_id = $1 ORDER BY event_version",
        [id],
      )
    ).rows,
  );
}

describe("Idempotency-Key", () => {
  it("a same-key retry in the same batch shares the first's fate: both UNAVAILABLE on a broken connection, and it never runs later", async () => {
    const id = await createCategory("Dup");
    const headers = key("dup");
    await whileStreamLocked(id, async (lock) => {
      const blocker = renameCategory(id, "Blocker");
      const blocked = (await lock.waiter())!;
      // Both queue behind the blocked batch, so they are decided in one batch.
      const [first, retry] = [renameCategory(id, "Retried", headers), renameCategory(id, "Retried", headers)];
      await new Promise((resolve) => setTimeout(resolve, 300));
      await lock.terminate(blocked);
      expect(errorCode(await blocker)).toBe("UNAVAILABLE");
      // Their batch fails too: on the broken connection, or (once the handler
      // reconnects first) on the one broken here.
      let answered = false;
      const pair = Promise.all([first, retry]).finally(() => (answered = true));
      for (let pid = await lock.waiter(() => answered); pid !== null; pid = await lock.waiter(() => answered)) await lock.terminate(pid);
      expect((await pair).map(errorCode)).toEqual(["UNAVAILABLE", "UNAVAILABLE"]);
    });
    // The queue is first in, first out: once this is answered, nothing queued before it is left.
    expect((await renameCategory(id, "After")).data?.updateCategory).toEqual({ name: "After", version: 2 });
    expect(await eventsOf(id)).toEqual([
      { type: "category.created", name: "Dup" },
      { type: "category.updated", name: "After" },
    ]);
  });

  it("a same-key retry in the same batch gets the first's answer as a replay", async () => {
    const id = await createCategory("Twice");
    const headers = key("twice");
    const pending = await whileStreamLocked(id, async (lock) => {
      const blocker = renameCategory(id, "Blocker");
      await lock.waiter();
      const pair = [renameCategory(id, "Once", headers), renameCategory(id, "Once", headers)];
      await new Promise((resolve) => setTimeout(resolve, 300));
      return [blocker, ...pair];
    });
    const answers = await Promise.all(pending);
    expect(answers.map((a) => a.data?.updateCategory)).toEqual([
      { name: "Blocker", version: 2 },
      { name: "Once", version: 3 },
      { name: "Once", version: 3 },
    ]);
    // The pair is sent at once, so either may reach the object first: exactly one is the replay.
    const replayed = answers.map((a) => a.extensions?.replayed ?? false);
    expect([replayed[0], [...replayed.slice(1)].sort()]).toEqual([false, [false, true]]);
    expect((await eventsOf(id)).map((e) => e.name)).toEqual(["Twice", "Blocker", "Once"]);
  });

  it("a command that changed nothing keeps its answer: a retry after the state moved on writes nothing", async () => {
    const categoryId = await createCategory("Stock");
    const created = await gqlData(
      `mutation($c: ID!) { createProduct(input: { name: "Lamp", categoryId: $c, price: "5.00", stockQuantity: 25 }) { id } }`,
      { c: categoryId },
    );
    const id = created.createProduct.id;
    const setStock = (quantity: number, headers: Record<string, string> = {}) =>
      gql(`mutation($id: ID!, $q: Int!) { updateStock(input: { id: $id, quantity: $q }) { stockQuantity version } }`, { id, q: quantity }, headers);
    const headers = key("stock");
    const first = await setStock(25, headers);
    expect(first.data?.updateStock).toEqual({ stockQuantity: 25, version: 1 });
    expect((await setStock(30)).data?.updateStock).toEqual({ stockQuantity: 30, version: 2 });
    const retry = await setStock(25, headers);
    expect(retry.data?.updateStock).toEqual({ stockQuantity: 25, version: 1 });
    expect(retry.extensions?.replayed).toBe(true);
    const stock = await withDb(async (db) => (await db.query("SELECT stock_quantity FROM command.products WHERE id = $1", [id])).rows[0].stock_quantity);
    expect(stock).toBe(30);
  });

  it("a refusal that depends on the state keeps its answer too; a validation error does not need to", async () => {
    const parent = await createCategory("Parent");
    const child = await createCategory("Child", parent);
    const deleteCategory = (id: string, headers: Record<string, string>) =>
      gql(`mutation($id: ID!) { deleteCategory(input: { id: $id }) { active } }`, { id }, headers);
    const headers = key("delete");
    expect(errorCode(await deleteCategory(parent, headers))).toBe("CATEGORY_HAS_CHILDREN");
    expect((await deleteCategory(child, {})).errors).toBeUndefined();
    expect(errorCode(await deleteCategory(parent, headers))).toBe("CATEGORY_HAS_CHILDREN");
    expect((await eventsOf(parent)).map((e) => e.type)).toEqual(["category.created"]);
    expect((await deleteCategory(parent, key("delete-again"))).data?.deleteCategory).toEqual({ active: false });

    const other = await createCategory("Other");
    const invalid = key("invalid");
    expect(errorCode(await renameCategory(other, "", invalid))).toBe("VALIDATION_ERROR");
    expect(errorCode(await renameCategory(other, "", invalid))).toBe("VALIDATION_ERROR");
  });

  it("a key that another aggregate's command stored meanwhile is IDEMPOTENCY_KEY_REUSED, not INTERNAL, and writes nothing", async () => {
    const [a, b] = [await createCategory("A"), await createCategory("B")];
    const headers = key("raced");
    const [answerA, answerB] = await whileStreamLocked(a, async (lock) => {
      // A's command finds the key unused, then waits for its stream...
      const pending = renameCategory(a, "Same name", headers);
      await lock.waiter();
      // ...while B's command stores the key first.
      return [pending, await renameCategory(b, "Same name", headers)];
    });
    expect(answerB.data?.updateCategory).toEqual({ name: "Same name", version: 2 });
    const refused = await answerA;
    expect(errorCode(refused)).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(refused.errors?.[0]?.message).toMatch(/Idempotency-Key was already used for a different command/);
    expect((await eventsOf(a)).map((e) => e.name)).toEqual(["A"]);
  });

  it("scopes the key by each top-level mutation: two creates under one key are both written, and a retry replays both", async () => {
    const document = `mutation { first: createCategory(input: { name: "First" }) { id name } second: createCategory(input: { name: "Second" }) { id name } }`;
    const headers = key("document");
    const once = await gql(document, {}, headers);
    expect(once.errors).toBeUndefined();
    const { first, second } = once.data!;
    expect([first.name, second.name]).toEqual(["First", "Second"]);
    expect(first.id).not.toBe(second.id);
    const again = await gql(document, {}, headers);
    expect(again.data).toEqual(once.data);
    expect(again.extensions).toMatchObject({ replayed: true, position: once.extensions?.position });
    expect(await eventsOf(first.id)).toHaveLength(1);
    expect(await eventsOf(second.id)).toHaveLength(1);
  });

  it("two updates of one type under one key both run", async () => {
    const [a, b] = [await createCategory("Left"), await createCategory("Right")];
    const result = await gql(
      `mutation($a: ID!, $b: ID!) { a: updateCategory(input: { id: $a, name: "Left 2" }) { name } b: updateCategory(input: { id: $b, name: "Right 2" }) { name } }`,
      { a, b },
      key("updates"),
    );
    expect(result).toMatchObject({ data: { a: { name: "Left 2" }, b: { name: "Right 2" } } });
    expect(result.errors).toBeUndefined();
  });

  it("a key over 255 characters or with control characters is a VALIDATION_ERROR, and nothing is written", async () => {
    for (const bad of ["k".repeat(256), "a\u0001b", "tab\there"]) {
      const name = `Refused ${crypto.randomUUID()}`;
      const result = await gql(`mutation($name: String!) { createCategory(input: { name: $name }) { id } }`, { name }, { "idempotency-key": bad });
      expect(errorCode(result), JSON.stringify(bad)).toBe("VALIDATION_ERROR");
      const written = await withDb(async (db) => (await db.query("SELECT count(*)::int AS n FROM command.categories WHERE name = $1", [name])).rows[0].n);
      expect(written).toBe(0);
    }
    expect(errorCode(await gql(`mutation { createCategory(input: { name: "Fine" }) { id } }`, {}, { "idempotency-key": "k".repeat(255) }))).toBeUndefined();
  });
});

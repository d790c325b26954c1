// The AggregateDO's batch as a whole: a rule that fails only in the append's
// SQL re-check, a command row that would be left behind, and the snapshot cadence.
import { describe, expect, it } from "vitest";
import { errorCode, gql, gqlData, sleep, whileStreamLocked, withDb } from "./support.ts";

async function createCategory(name: string): Promise<string> {
  return (await gqlData(`mutation($name: String!) { createCategory(input: { name: $name }) { id } }`, { name })).createCategory.id;
}

const rename = (id: string, name: string) =>
  gql(`mutation($id: ID!, $name: String!) { updateCategory(input: { id: $id, name: $name }) { name version } }`, { id, name });

async function appendsOf(id: string, afterVersion: number): Promise<{ events: number; transactions: number }> {
  return withDb(async (db) =>
    (
      await db.query<{ events: number; transactions: number }>(
        `SELECT count(*)::int AS events, count(DISTINCT transaction_id)::int AS transactions
         FROM event_store.events WHERE aggregate_id = $1 AND event_version > $2`,
        [id, afterVersion],
      )
    ).rows[0]!,
  );
}

describe("group commit", () => {
  it("a command refused only by the SQL re-check fails its batch; the others then commit one by one", async () => {
    const [home, target] = [await createCategory("Home shelf"), await createCategory("Closing shelf")];
    const { createProduct } = await gqlData(
      `mutation($c: ID!) { createProduct(input: { name: "Batch lamp", categoryId: $c, price: "1.00", stockQuantity: 1 }) { id } }`,
      { c: home },
    );
    const id = createProduct.id as string;
    const setStock = (quantity: number) => gql(`mutation($id: ID!, $q: Int!) { updateStock(input: { id: $id, quantity: $q }) { version } }`, { id, q: quantity });

    const answers = await withDb(async (rowLock) => {
      // Holds the target category's row, so the batch's re-check of it waits
      // until the category has become inactive - after the batch was decided.
      await rowLock.query("BEGIN");
      await rowLock.query("SELECT 1 FROM command.categories WHERE id = $1 FOR UPDATE", [target]);
      const pending = await whileStreamLocked(id, async (lock) => {
        const blocker = setStock(2);
        await lock.waiter();
        const batch = [
          ...[10, 11, 12].map(setStock),
          gql(`mutation($id: ID!, $c: ID!) { updateProduct(input: { id: $id, categoryId: $c }) { version } }`, { id, c: target }),
          ...[13, 14].map(setStock),
        ];
        await sleep(300);
        return [blocker, ...batch];
      });
      for (let tries = 0; ; tries++) {
        const { rows } = await rowLock.query(
          "SELECT 1 FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted AND transactionid = xid(pg_current_xact_id())",
        );
        if (rows.length > 0) break;
        if (tries > 500) throw new Error("the batch's re-check never waited for the category row");
        await sleep(10);
      }
      await rowLock.query("UPDATE command.categories SET active = false WHERE id = $1", [target]);
      await rowLock.query("COMMIT");
      return Promise.all(pending);
    });

    expect(answers.map((a) => errorCode(a) ?? "ok")).toEqual(["ok", "ok", "ok", "ok", "CATEGORY_DELETED", "ok", "ok"]);
    // The batch rolled back as a whole; its five good commands then ran one statement each.
    expect(await appendsOf(id, 2)).toEqual({ events: 5, transactions: 5 });
  });

  it("a command whose command-row upsert is held back by its version guard fails and writes nothing", async () => {
    const id = await createCategory("Guarded");
    await withDb((db) => db.query("UPDATE command.categories SET version = 50 WHERE id = $1", [id]));
    expect(errorCode(await rename(id, "Lost"))).toBe("INTERNAL");
    expect(await appendsOf(id, 1)).toEqual({ events: 0, transactions: 0 });
    const row = await withDb(async (db) => (await db.query("SELECT name, version FROM command.categories WHERE id = $1", [id])).rows[0]);
    expect(row).toEqual({ name: "Guarded", version: 50 });

    // Once the row agrees with the stream again, the aggregate serves as before.
    await withDb((db) => db.query("UPDATE command.categories SET version = 1 WHERE id = $1", [id]));
    expect((await rename(id, "Found")).data?.updateCategory).toEqual({ name: "Found", version: 2 });
  });

  it("saves a snapshot every SNAPSHOT_EVERY (10) versions, with the state at that version", async () => {
    const id = await createCategory("Snap 1");
    const snapshot = () =>
      withDb(async (db) => (await db.query("SELECT version, state_version, aggregate_type, data FROM event_store.snapshots WHERE aggregate_id = $1", [id])).rows[0]);
    for (let version = 2; version <= 9; version++) expect((await rename(id, `Snap ${version}`)).errors).toBeUndefined();
    expect(await snapshot()).toBeUndefined();
    await rename(id, "Snap 10");
    expect(await snapshot()).toMatchObject({ version: 10, state_version: 1, aggregate_type: "category", data: { name: "Snap 10" } });
    for (let version = 11; version <= 25; version++) expect((await rename(id, `Snap ${version}`)).errors).toBeUndefined();
    expect(await snapshot()).toMatchObject({ version: 20, data: { name: "Snap 20" } });
  });

  it("commits the snapshot in the append's transaction, not in a round trip after it", async () => {
    const id = await createCategory("Same 1");
    for (let version = 2; version <= 10; version++) expect((await rename(id, `Same ${version}`)).errors).toBeUndefined();
    const { rows } = await withDb((db) =>
      db.query<{ same: boolean }>(
        // xmin is the 32-bit transaction id; events keep the full xid8.
        `SELECT s.xmin::text::bigint = e.transaction_id::text::bigint % 4294967296 AS same
         FROM event_store.snapshots s JOIN event_store.events e ON e.aggregate_id = s.aggregate_id AND e.event_version = s.version
         WHERE s.aggregate_id = $1`,
        [id],
      ),
    );
    expect(rows).toEqual([{ same: true }]);
  });
});

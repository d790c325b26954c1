import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, it } from "vitest";
import { appendToStream } from "../../src/event-store/index.ts";
import { snapshotAlongside } from "../../src/event-store/snapshots.ts";
import { testPool } from "../support/database.ts";

const unnamed = testPool(1);
const named = testPool(1);
afterAll(() => Promise.all([unnamed.end(), named.end()]));

// A probe, not a test (docs/BENCHMARKS.md, "One hot aggregate: the append with
// statements alongside, named"): a hot aggregate's append (its command-row
// upsert, a snapshot every third) one at a time, sent unnamed and named, in
// alternating blocks on two connections through the Worker's driver and proxy.
// APPEND_AB=1 npx vitest run --project node test/event-store/append-named-ab.test.ts --silent=false
it.runIf(process.env.APPEND_AB)("named vs unnamed alongside append, alternating", async () => {
  // Fill the unnamed pool's 64 named shapes with others, so its hot shape goes unnamed.
  for (let i = 1; i <= 64; i++) await appendToStream(unnamed, "category", randomUUID(), [{ type: "shelf.created", data: {} }], { alongside: [{ statement: sql`SELECT ${sql.raw(String(i))}` }] });
  const streams = new Map([[unnamed, randomUUID()], [named, randomUUID()]]);
  const versions = new Map([[unnamed, 0], [named, 0]]);
  const block = async (db: typeof named, n: number) => {
    const id = streams.get(db)!;
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      const v = versions.get(db)!;
      await appendToStream(db, "category", id, [{ type: "shelf.renamed", data: { name: `n${i}` }, metadata: { commandId: "a", correlationId: "a", causationId: "a" } }], {
        expectedVersion: v,
        alongside: [
          { statement: sql`INSERT INTO command.categories (id, name, description, parent_id, active, version) VALUES (${id}::uuid, ${"n" + i}, ${null}, ${null}::uuid, ${true}, ${v + 1})
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, parent_id = excluded.parent_id, active = excluded.active, version = excluded.version, updated_at = now()
            WHERE command.categories.version < excluded.version RETURNING id`, minRows: 1 },
          ...((v + 1) % 3 === 0 ? [snapshotAlongside({ streamId: id, streamType: "category", version: v + 1, stateVersion: 1, state: { name: `n${i}` } })] : []),
        ],
      });
      versions.set(db, v + 1);
    }
    return (performance.now() - t) / n;
  };
  await block(unnamed, 50); await block(named, 50);
  for (let r = 0; r < 4; r++) {
    const b = await block(named, 300);
    const a = await block(unnamed, 300);
    console.log(`AB round ${r}: unnamed ${a.toFixed(2)} ms/append, named ${b.toFixed(2)} ms/append, ratio ${(b / a).toFixed(3)}`);
  }
}, 300_000);

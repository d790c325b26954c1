// Rebuild a read model from the first event into a fresh table while the live
// one keeps serving, then swap the tables in one short transaction, so readers
// never see a half-built table.
import { IllegalStateError } from "../domain/shared/errors.ts";
import { readGlobalLog, type Queryable } from "../event-store/index.ts";
import { upcastDomainEvent } from "../domain/upcasters.ts";
import { lockCheckpoint, resetCheckpoint } from "../consumers/checkpoints.ts";
import type { Consumer } from "../consumers/consumer.ts";
import { projectionConsumer, type Projection } from "./projection.ts";
import { runUntilCaughtUp } from "../consumers/runner.ts";
import { REBUILD_SUFFIX } from "./status.ts";

export const REBUILD_BATCH_SIZE = 5_000;

function shadowTable(projection: Projection): string {
  return `${projection.table}__rebuild`;
}

/** The projection writing to the fresh table, passing over events an admin skipped (dead letters). */
async function rebuildConsumer(db: Queryable, projection: Projection): Promise<Consumer> {
  const consumer = projectionConsumer(projection, { name: projection.name + REBUILD_SUFFIX, table: shadowTable(projection) });
  const { rows } = await db.query<{ global_sequence: string }>(
    "SELECT global_sequence::text AS global_sequence FROM query.dead_letters WHERE consumer = $1",
    [projection.name],
  );
  const skipped = new Set(rows.map((row) => Number(row.global_sequence)));
  if (skipped.size === 0) return consumer;
  return { ...consumer, apply: (tx, events) => consumer.apply(tx, events.filter((event) => !skipped.has(event.globalSequence))) };
}

/** A rebuild whose checkpoint has not moved for this long is taken as abandoned and may be started over. */
const ABANDONED_AFTER = "5 minutes";

/**
 * Creates an empty copy of the table and a rebuild checkpoint at the start of
 * the log. Refuses while another rebuild of the projection is under way: both
 * would fill (and drop) the same fresh table.
 */
export async function startRebuild(db: Queryable, projection: Projection): Promise<void> {
  const shadow = shadowTable(projection);
  await db.query("BEGIN");
  try {
    // Serializes concurrent starts, so the second one sees the first one's checkpoint.
    await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [shadow]);
    const { rows } = await db.query(
      `SELECT 1 FROM query.checkpoints WHERE consumer = $1 AND status <> 'failed' AND updated_at > now() - interval '${ABANDONED_AFTER}'`,
      [projection.name + REBUILD_SUFFIX],
    );
    if (rows.length > 0) {
      throw new IllegalStateError(`a rebuild of ${projection.name} is already under way; watch projectionStatus`, { projection: projection.name }, "REBUILD_IN_PROGRESS");
    }
    await db.query(`DROP TABLE IF EXISTS ${shadow}`);
    await db.query(`CREATE TABLE ${shadow} (LIKE ${projection.table} INCLUDING ALL)`);
    await db.query("DELETE FROM query.checkpoints WHERE consumer = $1", [projection.name + REBUILD_SUFFIX]);
    await db.query("INSERT INTO query.checkpoints (consumer) VALUES ($1)", [projection.name + REBUILD_SUFFIX]);
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

export async function isRebuilding(db: Queryable, projection: Projection): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM query.checkpoints WHERE consumer = $1", [projection.name + REBUILD_SUFFIX]);
  return rows.length > 0;
}

/** Fills the fresh table in large batches, then swaps it in. Returns the events replayed. */
export async function finishRebuild(connect: () => Promise<Queryable>, projection: Projection, reconnect?: () => Promise<void>): Promise<number> {
  const consumer = await rebuildConsumer(await connect(), projection);
  const result = await runUntilCaughtUp(connect, consumer, { batchSize: REBUILD_BATCH_SIZE, reconnect });
  if (result.status === "failed" || result.status === "unavailable") throw new Error(`rebuild of ${projection.name} failed: ${result.error}`);
  await swapIn(await connect(), projection, consumer);
  return result.processed;
}

/**
 * In one transaction: stop the live projection (its checkpoint lock), apply
 * what arrived since the rebuild caught up, swap the tables, and hand the
 * rebuild's checkpoint to the live projection.
 */
async function swapIn(db: Queryable, projection: Projection, consumer: Consumer): Promise<void> {
  const shadow = shadowTable(projection);
  const [schema, table] = projection.table.split(".") as [string, string];
  await db.query("BEGIN");
  try {
    await lockCheckpoint(db, projection.name);
    let position = await lockCheckpoint(db, consumer.name);
    let processed = 0;
    for (;;) {
      const page = await readGlobalLog(db, { after: position, limit: REBUILD_BATCH_SIZE, upcast: upcastDomainEvent });
      const relevant = page.events.filter((event) => projection.eventTypes.includes(event.type));
      if (relevant.length > 0) await consumer.apply(db, relevant);
      processed += page.events.length;
      position = { ...position, ...page.position };
      if (page.events.length < REBUILD_BATCH_SIZE) break;
    }
    const oldIndexes = await indexNames(db, schema, table);
    const newIndexes = await indexNames(db, schema, `${table}__rebuild`);
    await db.query(`LOCK TABLE ${projection.table} IN ACCESS EXCLUSIVE MODE`);
    await db.query(`DROP TABLE ${projection.table}`);
    await db.query(`ALTER TABLE ${shadow} RENAME TO ${table}`);
    // Give the indexes their original names, so later migrations find them.
    for (const [shape, name] of newIndexes) {
      const original = oldIndexes.get(shape);
      if (original && original !== name) await db.query(`ALTER INDEX ${schema}.${name} RENAME TO ${original}`);
    }
    await db.query("DELETE FROM query.checkpoints WHERE consumer = $1", [consumer.name]);
    await resetCheckpoint(db, projection.name, position, position.processedCount + processed);
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Index definition without its name and table -> index name. */
async function indexNames(db: Queryable, schema: string, table: string): Promise<Map<string, string>> {
  const { rows } = await db.query<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2",
    [schema, table],
  );
  return new Map(rows.map((row) => [row.indexdef.replace(/^.* ON \S+ /, ""), row.indexname]));
}

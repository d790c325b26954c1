// Emmett's Postgres event store (@event-driven-io/emmett-postgresql), given
// our own pg Pool so it runs over the same driver and pool size as the others.
// Its append is BEGIN; SELECT emt_append_to_stream(...); COMMIT. The package
// bundles its own copy of Emmett's error classes, so conflicts are recognized
// by error code (isExpectedVersionConflictError), not instanceof.
import { randomUUID } from "node:crypto";
import { isExpectedVersionConflictError } from "@event-driven-io/emmett";
import { getPostgreSQLEventStore, type PostgresEventStore } from "@event-driven-io/emmett-postgresql";
import type pg from "pg";
import { BENCH_EVENT, ONE_EVENT, openPool, type Contender } from "./runner.ts";

const EVENTS = [{ type: BENCH_EVENT.type, data: { ...BENCH_EVENT.data } }];

function eventStore(url: string, pool: pg.Pool): PostgresEventStore {
  // The schema is created once up front (createEmmettSchema), not on first append.
  return getPostgreSQLEventStore(url, { connectionOptions: { pool }, schema: { autoMigration: "None" } });
}

/** Emmett's own schema migration (tables emt_streams, emt_messages, ... and its functions in public). */
export async function createEmmettSchema(url: string): Promise<void> {
  const pool = await openPool(url, 1);
  try {
    await eventStore(url, pool).schema.migrate();
  } finally {
    await pool.end();
  }
}

/** Each writer appends to its own stream with the exact expected version. */
export const emmettOwnStreams: Contender = {
  name: "emmett",
  async prepare(url, writers) {
    const pool = await openPool(url, writers);
    const store = eventStore(url, pool);
    return {
      writer() {
        const stream = `bench-${randomUUID()}`;
        let version = 0n;
        return async () => {
          ({ nextExpectedStreamVersion: version } = await store.appendToStream(stream, EVENTS, { expectedStreamVersion: version }));
          return ONE_EVENT;
        };
      },
      close: () => pool.end(),
    };
  },
};

/**
 * Every writer on ONE stream with the exact version it last saw. Emmett's
 * conflict error does not carry the stream's version, so the writer reads the
 * events it missed (readStream from its version) and retries at once.
 */
export const emmettHotStreamExact: Contender = {
  name: "emmett hot (exact+retry)",
  async prepare(url, writers) {
    const pool = await openPool(url, writers);
    const store = eventStore(url, pool);
    const stream = `bench-${randomUUID()}`;
    return {
      writer() {
        let version = 0n;
        return async () => {
          for (let conflicts = 0; ; conflicts++) {
            try {
              ({ nextExpectedStreamVersion: version } = await store.appendToStream(stream, EVENTS, { expectedStreamVersion: version }));
              return { events: 1, conflicts };
            } catch (error) {
              if (!isExpectedVersionConflictError(error)) throw error;
              version = (await store.readStream(stream, { from: version + 1n })).currentStreamVersion;
            }
          }
        };
      },
      close: () => pool.end(),
    };
  },
};

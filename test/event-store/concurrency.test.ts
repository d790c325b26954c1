import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { appendToStream, readStream, WrongExpectedVersionError, type Queryable, type StoredEvent } from "../../src/event-store/index.ts";
import { testPool } from "../support/database.ts";
import { openTransaction, withConnection } from "./support.ts";

const WRITERS = 50;
// One connection per writer, so all of them really race.
const db = testPool(WRITERS);
afterAll(() => db.end());

const STREAM_TYPE = "concurrency-test";
const claim = (writer: number) => ({ type: "concurrency-test.claimed", data: { writer } });
const writers = <T>(run: (writer: number) => Promise<T>) => Promise.all(Array.from({ length: WRITERS }, (_, writer) => run(writer)));

async function currentVersion(db: Queryable, streamId: string): Promise<number> {
  return (await readStream(db, streamId)).at(-1)?.version ?? 0;
}

/** Reads the version, appends at exactly that version, and on a conflict reads again; returns its conflicts. */
async function appendUntilAccepted(db: Queryable, streamId: string, writer: number): Promise<number> {
  for (let conflicts = 0; ; conflicts++) {
    const version = await currentVersion(db, streamId);
    try {
      await appendToStream(db, STREAM_TYPE, streamId, [claim(writer)], { expectedVersion: version });
      return conflicts;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
  }
}

const writersOf = (events: StoredEvent[]) => events.map((e) => (e.data as { writer: number }).writer);

describe("exact expected versions under concurrent writers", () => {
  it(`${WRITERS} writers retrying on conflicts each land exactly one event, versions 1..${WRITERS} without gaps`, async () => {
    const streamId = randomUUID();
    const conflicts = await writers((writer) => withConnection(db, (client) => appendUntilAccepted(client, streamId, writer)));

    const events = await readStream(db, streamId);
    expect(events.map((e) => e.version)).toEqual(Array.from({ length: WRITERS }, (_, i) => i + 1));
    expect(writersOf(events).toSorted((a, b) => a - b)).toEqual(Array.from({ length: WRITERS }, (_, i) => i));
    expect(conflicts.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
  });

  it(`${WRITERS} writers all expecting version 0: one wins, the others get WrongExpectedVersionError`, async () => {
    const streamId = randomUUID();
    const attempts = await writers((writer) =>
      withConnection(db, (client) =>
        appendToStream(client, STREAM_TYPE, streamId, [claim(writer)], { expectedVersion: 0 }).then(
          () => ({ writer, error: null }),
          (error: unknown) => ({ writer, error }),
        ),
      ),
    );

    const winners = attempts.filter((a) => a.error === null).map((a) => a.writer);
    const errors = attempts.flatMap((a) => (a.error === null ? [] : [a.error]));
    expect(winners).toHaveLength(1);
    expect(errors).toHaveLength(WRITERS - 1);
    for (const error of errors) {
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      // actual 1: the stream's version, known whether the loser was refused by the
      // version check (it read the winner's event) or by the UNIQUE constraint
      // (it did not, and asked afterwards).
      expect(error).toMatchObject({ name: "WrongExpectedVersionError", expected: 0, actual: 1 });
    }
    expect(writersOf(await readStream(db, streamId))).toEqual(winners);
  });
});

// A REPEATABLE READ transaction keeps its first snapshot: it reads an older
// version, and its insert then collides with the newer event on UNIQUE
// (aggregate_id, event_version). That refusal is the behaviour: a conflict,
// nothing written, without the stream's version (the error aborted the
// transaction, so it cannot be asked; -1 says unknown), and the caller
// retries in a new transaction.
describe("a REPEATABLE READ caller whose snapshot predates the stream's last append", () => {
  for (const expectedVersion of [1, "any"] as const) {
    it(`expecting ${expectedVersion}: WrongExpectedVersionError without the actual version, nothing written, a new transaction appends`, async () => {
      const streamId = randomUUID();
      await appendToStream(db, STREAM_TYPE, streamId, [claim(0)]);
      const error = await withConnection(db, async (client) => {
        await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
        try {
          expect(await currentVersion(client, streamId)).toBe(1); // the transaction's snapshot is taken here
          await appendToStream(db, STREAM_TYPE, streamId, [claim(1)], { expectedVersion: 1 }); // another writer moves the stream on
          return await appendToStream(client, STREAM_TYPE, streamId, [claim(2)], { expectedVersion }).catch((e: unknown) => e);
        } finally {
          await client.query("ROLLBACK");
        }
      });
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ streamId, expected: expectedVersion, actual: -1 });
      expect(writersOf(await readStream(db, streamId))).toEqual([0, 1]);

      await appendToStream(db, STREAM_TYPE, streamId, [claim(2)], { expectedVersion: 2 });
      expect(writersOf(await readStream(db, streamId))).toEqual([0, 1, 2]);
    });
  }
});

// No lock serializes a stream's appends (migration 0012): two that read the
// same last event race into UNIQUE (aggregate_id, event_version), and the one
// that inserts second waits for the first's transaction and then fails.
describe("two appends of one stream racing", () => {
  it("inside callers' transactions: the second waits, gets WrongExpectedVersionError once the first commits, and writes nothing", async () => {
    const streamId = randomUUID();
    const first = await openTransaction(db);
    const second = await openTransaction(db);
    try {
      await appendToStream(first.client, STREAM_TYPE, streamId, [claim(1)], { expectedVersion: 0 });
      const racing = appendToStream(second.client, STREAM_TYPE, streamId, [claim(2)], { expectedVersion: 0 }).catch((e: unknown) => e);
      await waitingBehind(first.client);
      await first.end("COMMIT");
      const error = await racing;
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      // Its transaction is aborted, so the stream's version cannot be asked in it.
      expect(error).toMatchObject({ streamId, expected: 0, actual: -1 });
    } finally {
      await second.end("ROLLBACK");
    }
    expect(writersOf(await readStream(db, streamId))).toEqual([1]);
  });

  it("expecting any, auto-committed: the second goes on at the next version", async () => {
    const streamId = randomUUID();
    const first = await openTransaction(db);
    let racing: Promise<{ nextExpectedVersion: number }>;
    try {
      await appendToStream(first.client, STREAM_TYPE, streamId, [claim(1)]);
      racing = withConnection(db, (client) => appendToStream(client, STREAM_TYPE, streamId, [claim(2)]));
      await waitingBehind(first.client);
    } finally {
      await first.end("COMMIT");
    }
    expect(await racing).toMatchObject({ nextExpectedVersion: 2 });
    expect(writersOf(await readStream(db, streamId))).toEqual([1, 2]);
  });
});

/** Waits until another connection waits for the transaction of `holder` (on a unique index entry it wrote). */
async function waitingBehind(holder: Queryable): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const { rows } = await holder.query(
      "SELECT 1 FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted AND transactionid = xid(pg_current_xact_id())",
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("no append waited for the transaction");
}

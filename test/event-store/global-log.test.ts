import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import {
  appendToStream,
  comparePositions,
  decodePosition,
  readGlobalLog,
  readHeadPosition,
  readStream,
} from "../../src/event-store/index.ts";
import { testPool } from "../support/database.ts";
import { GlobalLogFollower, headPosition, headReaching, openTransaction } from "./support.ts";

// 32 writers plus a reader, each on its own connection.
const db = testPool(40);
afterAll(() => db.end());

const STREAM_TYPE = "log-test";
const event = (n: number) => ({ type: "log-test.happened", data: { n } });

/** What a consumer checkpointing on global_sequence alone would read: the lossy way. */
async function naiveRead(after: number, streamIds: string[]): Promise<number[]> {
  const { rows } = await db.query<{ global_sequence: string }>(
    `SELECT global_sequence FROM event_store.events
     WHERE global_sequence > $1 AND aggregate_id = ANY($2::uuid[]) ORDER BY global_sequence`,
    [after, streamIds],
  );
  return rows.map((row) => Number(row.global_sequence));
}

/** Appends 20 batches of 1-3 events to a new stream, each at the exact version it expects; returns the last position. */
async function writeStream(streamId: string, writer: number, appended: Map<string, number[]>): Promise<string | null> {
  let version = 0;
  let position: string | null = null;
  for (let batch = 0; batch < 20; batch++) {
    const size = 1 + ((batch + writer) % 3);
    const events = Array.from({ length: size }, (_, i) => event(version + i + 1));
    const result = await appendToStream(db, STREAM_TYPE, streamId, events, { expectedVersion: version });
    appended.set(streamId, [...(appended.get(streamId) ?? []), ...result.globalSequences]);
    version = result.nextExpectedVersion;
    position = result.position;
  }
  return position;
}

describe("readGlobalLog under concurrent writers", () => {
  it("a reader following the log while 32 writers append sees every event once, in stream order", async () => {
    const streamIds = Array.from({ length: 32 }, () => randomUUID());
    const follower = new GlobalLogFollower(db, new Set(streamIds), { after: await headPosition(db), limit: 100 });
    const appended = new Map<string, number[]>();
    const total = () => [...appended.values()].reduce((sum, sequences) => sum + sequences.length, 0);

    let writersDone = false;
    const writing = Promise.all(streamIds.map((id, writer) => writeStream(id, writer, appended))).finally(() => (writersDone = true));
    const reading = follower.readUntil(() => writersDone && follower.seen.length >= total(), 20_000);
    const [lastPositions] = await Promise.all([writing, reading]);

    expect(follower.anomalies).toEqual([]); // positions strictly increased, page by page
    const seenSequences = follower.seen.map((e) => e.globalSequence);
    expect(new Set(seenSequences).size).toBe(seenSequences.length);
    expect(seenSequences.toSorted((a, b) => a - b)).toEqual([...appended.values()].flat().toSorted((a, b) => a - b));

    streamIds.forEach((streamId, i) => {
      const ofStream = follower.seen.filter((e) => e.streamId === streamId);
      expect(ofStream.map((e) => e.version)).toEqual(ofStream.map((_, j) => j + 1));
      expect(ofStream.map((e) => e.data)).toEqual(ofStream.map((_, j) => ({ n: j + 1 })));
      expect(ofStream.at(-1)?.position).toBe(lastPositions[i]);
    });
  });
});

describe("readGlobalLog gap safety", () => {
  it("does not move past an open transaction's event, so an event that commits late is not skipped", async () => {
    const early = randomUUID();
    const late = randomUUID();
    const follower = new GlobalLogFollower(db, new Set([early, late]), { after: await headPosition(db) });

    const transaction = await openTransaction(db);
    let first, second;
    try {
      first = await appendToStream(transaction.client, STREAM_TYPE, early, [event(1)]);
      second = await appendToStream(db, STREAM_TYPE, late, [event(2)]);
      expect(second.globalSequences[0]).toBeGreaterThan(first.globalSequences[0]!);

      // A reader on global_sequence alone sees only the later, committed event now...
      expect(await naiveRead(0, [early, late])).toEqual(second.globalSequences);
      // ...the gap-safe reader sees neither, and stays before the open transaction.
      await follower.poll();
      expect(follower.seen).toEqual([]);
      // ...and says it is held back, not caught up: a committed event waits past the bound.
      expect((await readGlobalLog(db, { after: follower.position })).heldBack).toBe(true);
      expect(comparePositions(follower.position, decodePosition(first.position!))).toBeLessThan(0);
      expect(comparePositions(await headPosition(db), decodePosition(first.position!))).toBeLessThan(0);
    } finally {
      await transaction.end("COMMIT");
    }

    await follower.readUntil(() => follower.seen.length >= 2);
    expect(follower.seen.map((e) => [e.streamId, e.globalSequence])).toEqual([
      [early, first.globalSequences[0]],
      [late, second.globalSequences[0]],
    ]);
    expect(follower.anomalies).toEqual([]);
    // The naive reader, checkpointed at the later event, has lost the earlier one for good.
    expect(await naiveRead(second.globalSequences[0]!, [early, late])).toEqual([]);
  });

  // Sequence numbers are taken at insert time, transaction ids at a transaction's
  // first write: the two orders can disagree, and a reader that orders or
  // checkpoints on global_sequence alone (even xmin-bounded) loses T2's event.
  it("reads a late commit whose sequence is smaller than an event already read", async () => {
    const [older, newer] = [randomUUID(), randomUUID()];
    const follower = new GlobalLogFollower(db, new Set([older, newer]), { after: await headPosition(db) });
    const t1 = await openTransaction(db);
    const t2 = await openTransaction(db);
    let t1Ended = false;
    let early, late;
    try {
      await t1.client.query("SELECT pg_current_xact_id()"); // T1 takes its id first...
      late = await appendToStream(t2.client, STREAM_TYPE, newer, [event(1)]); // ...T2 appends first and stays open...
      early = await appendToStream(t1.client, STREAM_TYPE, older, [event(2)]); // ...T1 appends after it and commits.
      expect(late.globalSequences[0]).toBeLessThan(early.globalSequences[0]!);
      await t1.end("COMMIT");
      t1Ended = true;
      await follower.readUntil(() => follower.seen.length >= 1);
      expect(follower.seen.map((e) => e.streamId)).toEqual([older]);
    } finally {
      if (!t1Ended) await t1.end("ROLLBACK");
      await t2.end("COMMIT");
    }
    // T2's event, with the smaller sequence, must still come after T1's.
    await follower.readUntil(() => follower.seen.length >= 2);
    expect(follower.seen.map((e) => [e.streamId, e.globalSequence])).toEqual([
      [older, early.globalSequences[0]],
      [newer, late.globalSequences[0]],
    ]);
    expect(follower.anomalies).toEqual([]);
  });

  it("passes over the sequence numbers of a rolled-back append", async () => {
    const rolledBack = randomUUID();
    const committed = randomUUID();
    const follower = new GlobalLogFollower(db, new Set([rolledBack, committed]), { after: await headPosition(db) });
    const transaction = await openTransaction(db);
    await appendToStream(transaction.client, STREAM_TYPE, rolledBack, [event(1)]);
    await transaction.end("ROLLBACK");
    await appendToStream(db, STREAM_TYPE, committed, [event(2)]);

    await follower.readUntil(() => follower.seen.length >= 1);
    expect(follower.seen.map((e) => e.streamId)).toEqual([committed]);
  });

  it("readHeadPosition stops before an open transaction and reaches the newest event once it commits", async () => {
    const transaction = await openTransaction(db);
    let open, after;
    try {
      open = await appendToStream(transaction.client, STREAM_TYPE, randomUUID(), [event(1)]);
      after = await appendToStream(db, STREAM_TYPE, randomUUID(), [event(2)]);
      const head = await readHeadPosition(db);
      expect(head === null || comparePositions(decodePosition(head), decodePosition(open.position!)) < 0).toBe(true);
    } finally {
      await transaction.end("COMMIT");
    }
    await headReaching(db, after.position!);
  });
});

describe("per-stream order in the global log", () => {
  // The log is ordered by transaction id first. A transaction that took its id
  // (by any earlier write) before a newer transaction appended to the stream
  // would, if allowed to append, place its later version BEFORE the earlier one.
  it("refuses an append from a transaction older than the stream's last event", async () => {
    const streamId = randomUUID();
    const transaction = await openTransaction(db);
    try {
      await transaction.client.query("SELECT pg_current_xact_id()"); // as any earlier write in the transaction would
      await appendToStream(db, STREAM_TYPE, streamId, [event(1)]);
      const error = await appendToStream(transaction.client, STREAM_TYPE, streamId, [event(2)]).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "40001" });
    } finally {
      await transaction.end("ROLLBACK");
    }
    expect((await readStream(db, streamId)).map((e) => e.version)).toEqual([1]);
  });

  it("lets a transaction append to several streams when none moved on after it began", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const before = await appendToStream(db, STREAM_TYPE, b, [event(1)]);
    const follower = new GlobalLogFollower(db, new Set([a, b]), { after: await headReaching(db, before.position!) });
    const transaction = await openTransaction(db);
    try {
      await appendToStream(transaction.client, STREAM_TYPE, a, [event(1)]);
      await appendToStream(transaction.client, STREAM_TYPE, b, [event(2)], { expectedVersion: 1 });
    } finally {
      await transaction.end("COMMIT");
    }
    await follower.readUntil(() => follower.seen.length >= 2);
    expect(follower.seen.map((e) => [e.streamId, e.version])).toEqual([
      [a, 1],
      [b, 2],
    ]);
  });
});

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WrongExpectedVersionError, aggregateStream, appendToStream, readStream, saveSnapshot, snapshotAlongside, type LoadedEvent, type Upcast } from "../../src/event-store/index.ts";
import { testPool } from "../support/database.ts";

const db = testPool(5);
afterAll(() => db.end());

// A tally aggregate: a running total and the list of amounts added.
interface Tally {
  total: number;
  amounts: number[];
}
const STREAM_TYPE = "tally";
const STATE_VERSION = 1;
const initialState = (): Tally => ({ total: 0, amounts: [] });
const evolve = (state: Tally, event: LoadedEvent): Tally => {
  const { amount } = event.data as { amount: number };
  return { total: state.total + amount, amounts: [...state.amounts, amount] };
};
const added = (amount: number) => ({ type: "tally.added", data: { amount } });

/** A stream of `length` tally.added events (amounts 1..length), in batches of ten. */
async function tallyStream(length: number): Promise<string> {
  const streamId = randomUUID();
  for (let from = 1; from <= length; from += 10) {
    const amounts = Array.from({ length: Math.min(10, length - from + 1) }, (_, i) => from + i);
    await appendToStream(db, STREAM_TYPE, streamId, amounts.map(added), { expectedVersion: from - 1 });
  }
  return streamId;
}

/** The snapshot a writer would take at `version`: the fold of the events up to it. */
async function snapshotAt(streamId: string, version: number, stateVersion = STATE_VERSION) {
  const state = (await readStream(db, streamId, { toVersion: version })).reduce(evolve, initialState());
  await saveSnapshot(db, { streamId, streamType: STREAM_TYPE, version, stateVersion, state });
  return state;
}

const load = (streamId: string, stateVersion: number | null = STATE_VERSION) =>
  aggregateStream(db, streamId, { initialState, evolve, ...(stateVersion === null ? {} : { snapshot: { stateVersion } }) });

describe("aggregateStream with snapshots", () => {
  let streamId: string;
  beforeAll(async () => {
    streamId = await tallyStream(95);
  });

  it("starts from the snapshot and folds only the tail, to the same state as a full replay", async () => {
    await snapshotAt(streamId, 50);
    const replayed = await load(streamId, null);
    const fromSnapshot = await load(streamId);

    expect(replayed).toMatchObject({ version: 95, snapshotVersion: null, eventsApplied: 95 });
    expect(replayed.state.total).toBe((95 * 96) / 2);
    expect(fromSnapshot).toEqual({ state: replayed.state, version: 95, streamType: STREAM_TYPE, snapshotVersion: 50, eventsApplied: 45 });
  });

  it("takes the state from the snapshot rather than replaying the events before it", async () => {
    const other = await tallyStream(12);
    await saveSnapshot(db, { streamId: other, streamType: STREAM_TYPE, version: 10, stateVersion: STATE_VERSION, state: { total: -1, amounts: [] } });
    expect((await load(other)).state).toEqual({ total: -1 + 11 + 12, amounts: [11, 12] });
  });

  it("ignores a snapshot of another state version and replays everything", async () => {
    const other = await tallyStream(30);
    await snapshotAt(other, 20, STATE_VERSION + 1);
    const loaded = await load(other);
    expect(loaded).toMatchObject({ version: 30, snapshotVersion: null, eventsApplied: 30 });
    expect(loaded.state).toEqual((await load(other, null)).state);
  });

  it("does not replace a snapshot with an older one of the same state version", async () => {
    const other = await tallyStream(40);
    await snapshotAt(other, 30);
    await snapshotAt(other, 20);
    expect(await load(other)).toMatchObject({ version: 40, snapshotVersion: 30, eventsApplied: 10 });

    await snapshotAt(other, 35);
    expect(await load(other)).toMatchObject({ version: 40, snapshotVersion: 35, eventsApplied: 5 });
  });

  it("a snapshot of a new state version replaces one of the old, even at a lower version", async () => {
    const other = await tallyStream(40);
    await snapshotAt(other, 30);
    await snapshotAt(other, 20, STATE_VERSION + 1);
    expect(await load(other, STATE_VERSION + 1)).toMatchObject({ version: 40, snapshotVersion: 20, eventsApplied: 20 });
    expect(await load(other)).toMatchObject({ snapshotVersion: null, eventsApplied: 40 });
  });

  it("a snapshot at the head leaves no tail, and an unknown stream is empty", async () => {
    const other = await tallyStream(10);
    const state = await snapshotAt(other, 10);
    expect(await load(other)).toEqual({ state, version: 10, streamType: STREAM_TYPE, snapshotVersion: 10, eventsApplied: 0 });
    expect(await load(randomUUID())).toEqual({ state: initialState(), version: 0, streamType: null, snapshotVersion: null, eventsApplied: 0 });
  });

  it("upcasts the tail's events before folding them, and only the tail's", async () => {
    const other = await tallyStream(15);
    await snapshotAt(other, 10);
    // Tally events of schema version 1 read as tenfold amounts: an upcaster the store only knows as a function.
    const upcast: Upcast = (event) => ({ ...event, data: { amount: (event.data as { amount: number }).amount * 10 }, schemaVersion: 2 });
    const loaded = await aggregateStream(db, other, { initialState, evolve, snapshot: { stateVersion: STATE_VERSION }, upcast });
    expect(loaded.state.amounts).toEqual([...Array.from({ length: 10 }, (_, i) => i + 1), 110, 120, 130, 140, 150]);
  });

  it("hands the fold only what it reads of an event, the tail's as the rest", async () => {
    // Metadata, times and positions are not decoded for a load: they were 40% of a long load's CPU, and no state depends on them.
    const other = await tallyStream(12);
    await snapshotAt(other, 10);
    const seen: object[] = [];
    const tracing = (state: Tally, event: LoadedEvent) => (seen.push(event), evolve(state, event));
    await aggregateStream(db, other, { initialState, evolve: tracing, snapshot: { stateVersion: STATE_VERSION } });
    await aggregateStream(db, other, { initialState, evolve: tracing });
    expect(seen).toHaveLength(2 + 12);
    expect(seen[0]).toEqual({ type: "tally.added", data: { amount: 11 }, version: 11, schemaVersion: 1 });
    expect(new Set(seen.map((event) => Object.keys(event).sort().join()))).toEqual(new Set(["data,schemaVersion,type,version"]));
  });

  it("a stream of another type is not folded: its version and type come back with the initial state", async () => {
    const other = await tallyStream(12);
    await snapshotAt(other, 10);
    const loaded = await aggregateStream(db, other, { initialState, evolve, snapshot: { stateVersion: STATE_VERSION }, streamType: "receipt" });
    expect(loaded).toEqual({ state: initialState(), version: 12, streamType: STREAM_TYPE, snapshotVersion: null, eventsApplied: 0 });
  });
});

describe("aggregateStream's statement", () => {
  it("is prepared once per connection and then only executed, whatever the stream and snapshot", async () => {
    const streamId = await tallyStream(12);
    await snapshotAt(streamId, 10);
    const client = await db.connect();
    // Planning was most of a snapshot load's server time: one prepared statement serves every load on the connection.
    const prepared = async () =>
      (
        await client.query<{ statements: number; executions: number }>(
          `SELECT count(*)::integer AS statements, coalesce(sum(generic_plans + custom_plans), 0)::integer AS executions
           FROM pg_prepared_statements WHERE statement LIKE '%FROM event_store.snapshots%'`,
        )
      ).rows[0]!;
    try {
      const before = await prepared();
      const loaded = [];
      for (const stateVersion of [STATE_VERSION, null, STATE_VERSION]) {
        loaded.push(await aggregateStream(client, streamId, { initialState, evolve, ...(stateVersion === null ? {} : { snapshot: { stateVersion } }) }));
      }
      await aggregateStream(client, randomUUID(), { initialState, evolve });
      expect(loaded.map((l) => l.snapshotVersion)).toEqual([10, null, 10]);
      expect(await prepared()).toEqual({ statements: 1, executions: before.executions + 4 });
    } finally {
      client.release();
    }
  });
});

describe("a snapshot alongside an append", () => {
  const snapshotRow = async (streamId: string) =>
    (await db.query("SELECT version, data FROM event_store.snapshots WHERE aggregate_id = $1", [streamId])).rows[0];

  it("commits with the append, and not at all when the append is refused", async () => {
    const streamId = await tallyStream(9);
    const alongside = [snapshotAlongside({ streamId, streamType: STREAM_TYPE, version: 10, stateVersion: STATE_VERSION, state: { total: 55, amounts: [] } })];
    await expect(appendToStream(db, STREAM_TYPE, streamId, [added(10)], { expectedVersion: 8, alongside })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(await snapshotRow(streamId)).toBeUndefined();
    await appendToStream(db, STREAM_TYPE, streamId, [added(10)], { expectedVersion: 9, alongside });
    expect(await snapshotRow(streamId)).toEqual({ version: 10, data: { total: 55, amounts: [] } });
  });

  it("holds back an older snapshot without failing the append", async () => {
    const streamId = await tallyStream(20);
    await snapshotAt(streamId, 20);
    const alongside = [snapshotAlongside({ streamId, streamType: STREAM_TYPE, version: 15, stateVersion: STATE_VERSION, state: { total: -1, amounts: [] } })];
    await appendToStream(db, STREAM_TYPE, streamId, [added(21)], { expectedVersion: 20, alongside });
    expect(await snapshotRow(streamId)).toMatchObject({ version: 20 });
  });
});

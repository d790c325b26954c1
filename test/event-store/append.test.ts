import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import {
  appendToStream,
  findIdempotencyRecord,
  IdempotencyKeyReusedError,
  readStream,
  StreamTypeMismatchError,
  WrongExpectedVersionError,
} from "../../src/event-store/index.ts";
import { testPool } from "../support/database.ts";

const db = testPool();
afterAll(() => db.end());

const event = (n: number) => ({ type: "thing.happened", data: { n } });

async function streamCount(table: string, streamId: string): Promise<number> {
  const column = table === "idempotency_keys" ? "aggregate_id" : "aggregate_id";
  const { rows } = await db.query<{ count: string }>(`SELECT count(*) FROM event_store.${table} WHERE ${column} = $1`, [streamId]);
  return Number(rows[0]!.count);
}

describe("appendToStream expected versions", () => {
  it("appends a batch with versions 1..n and returns the next expected version", async () => {
    const id = randomUUID();
    const result = await appendToStream(db, "thing", id, [event(1), event(2), event(3)], { expectedVersion: "no_stream" });
    expect(result.nextExpectedVersion).toBe(3);
    expect(result.globalSequences).toHaveLength(3);
    expect(result.position).toMatch(/^\d+-\d+$/);
    const stored = await readStream(db, id);
    expect(stored.map((e) => [e.version, e.data])).toEqual([
      [1, { n: 1 }],
      [2, { n: 2 }],
      [3, { n: 3 }],
    ]);
  });

  it("no_stream fails when the stream exists, and appends nothing", async () => {
    const id = randomUUID();
    await appendToStream(db, "thing", id, [event(1)]);
    const error = await appendToStream(db, "thing", id, [event(2)], { expectedVersion: "no_stream" }).catch((e) => e);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error.actual).toBe(1);
    expect(await streamCount("events", id)).toBe(1);
  });

  it("stream_exists fails on a new stream and succeeds on an existing one", async () => {
    const id = randomUUID();
    await expect(appendToStream(db, "thing", id, [event(1)], { expectedVersion: "stream_exists" })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    await appendToStream(db, "thing", id, [event(1)]);
    const result = await appendToStream(db, "thing", id, [event(2)], { expectedVersion: "stream_exists" });
    expect(result.nextExpectedVersion).toBe(2);
  });

  it("an exact version must match the stream's current version", async () => {
    const id = randomUUID();
    await appendToStream(db, "thing", id, [event(1), event(2)], { expectedVersion: 0 });
    await expect(appendToStream(db, "thing", id, [event(3)], { expectedVersion: 1 })).rejects.toMatchObject({
      name: "WrongExpectedVersionError",
      expected: 1,
      actual: 2,
    });
    await expect(appendToStream(db, "thing", id, [event(3)], { expectedVersion: 3 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
    const ok = await appendToStream(db, "thing", id, [event(3)], { expectedVersion: 2 });
    expect(ok.nextExpectedVersion).toBe(3);
    expect(await streamCount("events", id)).toBe(3);
  });

  it("any appends whatever the version", async () => {
    const id = randomUUID();
    await appendToStream(db, "thing", id, [event(1)]);
    const result = await appendToStream(db, "thing", id, [event(2)], { expectedVersion: "any" });
    expect(result.nextExpectedVersion).toBe(2);
  });

  it("records metadata and schema version", async () => {
    const id = randomUUID();
    await appendToStream(db, "thing", id, [
      { type: "thing.happened", data: { a: 1 }, metadata: { correlationId: "c1", causationId: "k1" }, schemaVersion: 2 },
    ]);
    const [stored] = await readStream(db, id);
    expect(stored).toMatchObject({ metadata: { correlationId: "c1", causationId: "k1" }, schemaVersion: 2, streamType: "thing" });
  });
});

describe("stream types", () => {
  it("events of another type are refused on an existing stream; keys alone are not", async () => {
    const id = randomUUID();
    await appendToStream(db, "thing", id, [event(1)]);
    const error = await appendToStream(db, "other", id, [event(2)]).catch((e) => e);
    expect(error).toBeInstanceOf(StreamTypeMismatchError);
    expect(error).toMatchObject({ streamId: id, expected: "other", actual: "thing" });
    expect(await streamCount("events", id)).toBe(1);
    const key = `test-${randomUUID()}`;
    await appendToStream(db, "other", id, [], { idempotency: [{ key, result: "not found" }] });
    expect(await findIdempotencyRecord(db, key)).toMatchObject({ result: "not found" });
  });
});

describe("idempotency keys", () => {
  it("a replayed key appends nothing and the first result stays readable", async () => {
    const id = randomUUID();
    const key = `test-${randomUUID()}`;
    const first = await appendToStream(db, "thing", id, [event(1)], { idempotency: [{ key, result: { version: 1 } }] });
    const replay = await appendToStream(db, "thing", id, [event(1)], { idempotency: [{ key, result: { version: 2 } }] }).catch((e) => e);
    expect(replay).toBeInstanceOf(IdempotencyKeyReusedError);
    expect(replay.keys).toEqual([key]);
    expect(await streamCount("events", id)).toBe(1);
    expect(await findIdempotencyRecord(db, key)).toEqual({ key, streamId: id, result: { version: 1 }, position: first.position });
  });

  it("concurrent retries with one key append exactly once", async () => {
    const id = randomUUID();
    const key = `test-${randomUUID()}`;
    const attempts = await Promise.allSettled(
      Array.from({ length: 10 }, () => appendToStream(db, "thing", id, [event(1)], { idempotency: [{ key, result: "ok" }] })),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    for (const attempt of attempts) {
      if (attempt.status === "rejected") expect(attempt.reason).toBeInstanceOf(IdempotencyKeyReusedError);
    }
    expect(await streamCount("events", id)).toBe(1);
  });

  it("the same key twice in one append is refused as reused, and nothing is written", async () => {
    const id = randomUUID();
    const key = `test-${randomUUID()}`;
    const error = await appendToStream(db, "thing", id, [event(1)], {
      idempotency: [
        { key, result: 1 },
        { key, result: 2 },
      ],
    }).catch((e) => e);
    expect(error).toBeInstanceOf(IdempotencyKeyReusedError);
    expect(error.keys).toEqual([key]);
    expect(await streamCount("events", id)).toBe(0);
    expect(await findIdempotencyRecord(db, key)).toBeNull();
  });

  it("keys without events are stored (no position), and a reused one is still refused", async () => {
    const id = randomUUID();
    await appendToStream(db, "thing", id, [event(1)]);
    const key = `test-${randomUUID()}`;
    const result = await appendToStream(db, "thing", id, [], { expectedVersion: 1, idempotency: [{ key, result: "nothing to do" }] });
    expect(result).toMatchObject({ nextExpectedVersion: 1, position: null, globalSequences: [] });
    expect(await findIdempotencyRecord(db, key)).toEqual({ key, streamId: id, result: "nothing to do", position: null });
    await expect(appendToStream(db, "thing", id, [], { idempotency: [{ key, result: "again" }] })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await streamCount("events", id)).toBe(1);
  });

  it("an unknown key has no record", async () => {
    expect(await findIdempotencyRecord(db, `missing-${randomUUID()}`)).toBeNull();
  });
});

import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { appendToStream, readStream, WrongExpectedVersionError, type Queryable, type StoredEvent } from "../../src/event-store/index.ts";
import { testPool } from "../support/database.ts";
import { withConnection } from "./support.ts";

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
      // actual 1: refused by the version check, not by the UNIQUE constraint (which reports -1).
      expect(error).toMatchObject({ name: "WrongExpectedVersionError", expected: 0, actual: 1 });
    }
    expect(writersOf(await readStream(db, streamId))).toEqual(winners);
  });
});

// Our event store library (src/event-store) over the same pg driver as every
// other contender: appendToStream takes any Queryable, and a pg client is one.
import { randomUUID } from "node:crypto";
import { appendToStream, WrongExpectedVersionError } from "../../src/event-store/index.ts";
import { BENCH_EVENT, ONE_EVENT, connectionPerWriter } from "./runner.ts";

const STREAM_TYPE = "bench";
const EVENTS = [BENCH_EVENT];

/** Each writer appends to its own stream with the exact expected version. */
export const oursOwnStreams = connectionPerWriter("ours", (db) => {
  const streamId = randomUUID();
  let version = 0;
  return async () => {
    ({ nextExpectedVersion: version } = await appendToStream(db, STREAM_TYPE, streamId, EVENTS, { expectedVersion: version }));
    return ONE_EVENT;
  };
});

/** Every writer on ONE stream, no version check: a writer that loses a race goes on at the new end (inside appendToStream). */
export const oursHotStreamAny = connectionPerWriter("ours hot (any)", (db, hotStreamId) => async () => {
  await appendToStream(db, STREAM_TYPE, hotStreamId, EVENTS, { expectedVersion: "any" });
  return ONE_EVENT;
});

/**
 * Every writer on ONE stream with the exact version it last saw; a conflict
 * tells it the stream's version, and it retries at once.
 */
export const oursHotStreamExact = connectionPerWriter("ours hot (exact+retry)", (db, hotStreamId) => {
  let version = 0;
  return async () => {
    for (let conflicts = 0; ; conflicts++) {
      try {
        ({ nextExpectedVersion: version } = await appendToStream(db, STREAM_TYPE, hotStreamId, EVENTS, { expectedVersion: version }));
        return { events: 1, conflicts };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || error.actual < 0) throw error;
        version = error.actual;
      }
    }
  };
});

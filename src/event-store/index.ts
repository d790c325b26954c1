export { appendToStream, type AlongsideStatement, type AppendOptions, type AppendResult, type IdempotencyRecord } from "./append.ts";
export { readStream, readStreamType, readOccurredAt, readRecentEvents, readGlobalLog, readHeadPosition, isBeyondLogHead, type ReadStreamOptions, type ReadGlobalLogOptions, type LogFilter, type GlobalLogPage } from "./read.ts";
export { aggregateStream, saveSnapshot, snapshotAlongside, type Snapshot, type AggregateStreamOptions, type AggregatedStream } from "./snapshots.ts";
export { findIdempotencyRecord, findIdempotencyRecords, type StoredIdempotencyRecord } from "./idempotency.ts";
export { noUpcast, type Upcast, type UpcastableEvent } from "./upcasters.ts";
export { START, encodePosition, decodePosition, comparePositions, type LogPosition } from "./position.ts";
export {
  AlongsideRowCountError,
  IdempotencyKeyReusedError,
  InvalidPositionError,
  StreamTypeMismatchError,
  WrongExpectedVersionError,
  isPostgresError,
} from "./errors.ts";
export type { Queryable, NamedStatement, ExpectedVersion, NewEvent, StoredEvent, LoadedEvent, EventMetadata } from "./types.ts";

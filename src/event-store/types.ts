/** The structural subset of a neon Client or Pool (or a pg one) that the event store needs. */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  /** A named statement: parsed and planned once per connection, then only executed. */
  query<Row = Record<string, unknown>>(statement: NamedStatement): Promise<{ rows: Row[] }>;
}

export interface NamedStatement {
  /** One name per statement text, for the life of the connection. */
  name: string;
  text: string;
  values: unknown[];
}

/**
 * - "any": no check;
 * - "no_stream": the stream must not exist yet;
 * - "stream_exists": the stream must have at least one event;
 * - a number: the stream must be exactly at that version (0 = no stream).
 */
export type ExpectedVersion = "any" | "no_stream" | "stream_exists" | number;

export interface NewEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
  metadata?: EventMetadata;
  /** Version of the payload's shape; upcasters lift older ones on read. */
  schemaVersion?: number;
}

export interface EventMetadata {
  correlationId?: string;
  causationId?: string;
  commandId?: string;
  actor?: string;
  [key: string]: unknown;
}

export interface StoredEvent<Type extends string = string, Data = unknown> {
  globalSequence: number;
  transactionId: string;
  /** Opaque, comparable position of this event in the global log. */
  position: string;
  streamId: string;
  streamType: string;
  type: Type;
  data: Data;
  metadata: EventMetadata;
  version: number;
  schemaVersion: number;
  occurredAt: Date;
}

/**
 * What a fold reads of an event: its type and data, the version it brings
 * the stream to, and the schema version an upcast lifts. Loading a stream
 * decodes only these (no metadata, times or positions: an aggregate's state
 * never depends on them).
 */
export type LoadedEvent<Type extends string = string, Data = unknown> = Pick<StoredEvent<Type, Data>, "type" | "data" | "version" | "schemaVersion">;

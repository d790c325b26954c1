// One GraphQL operation as the telemetry topics and the execution logs see it.

export type ExecutionKind = "command" | "query";

/** What the Worker or a ReaderDO reports after answering an operation. */
export type ExecutionReport = {
  kind: ExecutionKind;
  /** The operation's name, or its root fields when it has none. */
  name: string;
  /** Its first root field: a name from the schema, so metrics labels stay few. */
  field: string;
  durationMs: number;
  success: boolean;
  errorCode: string | null;
  correlationId: string | null;
  /** ISO-8601 time the operation finished. */
  at: string;
};

/** A report as a broadcaster shard stored it, under an id that orders it on its topic. */
export type Execution = ExecutionReport & { id: string };

/** Histogram bucket bounds for operation durations, in milliseconds (Prometheus `le`). */
export const DURATION_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000] as const;

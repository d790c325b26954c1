import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Decider, DomainCommand, DomainEvent } from "../domain/shared/decider.ts";
import type { AlongsideStatement, Queryable } from "../event-store/index.ts";

/**
 * What the generic command handler needs to know about one aggregate besides
 * its decider: the outside facts its rules read, and what commits with its events.
 */
export interface AggregateDefinition<Command extends DomainCommand, Event extends DomainEvent, State, Context> {
  decider: Decider<Command, Event, State, Context>;
  /** Facts about other aggregates the rules need, looked up before deciding. */
  loadContext(db: Queryable, command: Command, state: State): Promise<Context>;
  /**
   * Statements committed in the same statement as the events: row-locking
   * re-checks of the rules that involve other aggregates, and the command-table
   * row. Each must return rows (see appendToStream's `alongside`); one that
   * writes (INSERT/UPDATE/DELETE ... RETURNING) must return at least one, or
   * the whole append fails: an upsert held back by its version guard would
   * otherwise leave the command table silently behind the stream.
   */
  alongside(events: readonly Event[], state: State, version: number): SQL[];
  /** The entity a command returns to its caller. */
  view(state: State, version: number): unknown;
  /**
   * The aggregate will take no more commands (an order confirmed, cancelled or
   * failed): its handler lets go of the connection after the commit instead of
   * holding it for the idle time. A late command still works; it reconnects.
   */
  isFinished?(state: State): boolean;
}

// The handler treats every aggregate alike, so the registry erases their types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAggregateDefinition = AggregateDefinition<any, any, any, any>;

const dialect = new PgDialect();
const WRITES = /^\s*(INSERT|UPDATE|DELETE)\b/i;

/** A definition's alongside statements, with the row minimum each must reach. */
export function alongsideStatements(statements: readonly SQL[]): AlongsideStatement[] {
  return statements.map((statement) => (WRITES.test(dialect.sqlToQuery(statement).sql) ? { statement, minRows: 1 } : { statement }));
}

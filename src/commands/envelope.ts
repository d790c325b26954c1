import type { DomainCommand } from "../domain/shared/decider.ts";
import type { SerializedError } from "../domain/shared/errors.ts";

export interface CommandMetadata {
  commandId: string;
  correlationId: string;
  causationId: string;
  actor?: string;
}

/** A command on its way to the AggregateDO that owns `aggregateId`. */
export interface CommandEnvelope {
  aggregateType: string;
  aggregateId: string;
  command: DomainCommand;
  idempotencyKey?: string;
  metadata: CommandMetadata;
}

export interface CommandSuccess {
  ok: true;
  aggregateId: string;
  /** The aggregate's version right after this command. */
  version: number;
  /** Log position of the batch that carried the command (null if it changed nothing). */
  position: string | null;
  /** The entity as the command left it (the aggregate definition's view). */
  view: unknown;
  /** True when an earlier command with the same idempotency key answered. */
  replayed: boolean;
}

export type CommandOutcome = CommandSuccess | { ok: false; error: SerializedError };

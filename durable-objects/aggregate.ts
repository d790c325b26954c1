import { DurableObject } from "cloudflare:workers";
import { AggregateCommandHandler, DEFAULT_HANDLER_OPTIONS } from "../src/commands/aggregate-handler.ts";
import { aggregateDefinition } from "../src/commands/aggregates.ts";
import type { CommandEnvelope, CommandOutcome } from "../src/commands/envelope.ts";
import { serializeError } from "../src/domain/shared/errors.ts";
import { IdleConnection } from "../src/db/idle-connection.ts";
import { databaseSettings } from "../src/db/worker-connection.ts";
import { ConsumerWaker } from "../src/consumers/wake.ts";

/** One per aggregate ("category:<id>"): serializes and group-commits its commands. */
export class AggregateDO extends DurableObject<Env> {
  #connection = new IdleConnection(() => databaseSettings(this.env));
  #waker = new ConsumerWaker(this.env.PROJECTOR);
  #handler: AggregateCommandHandler | undefined;

  async execute(envelope: CommandEnvelope): Promise<CommandOutcome> {
    try {
      this.#handler ??= new AggregateCommandHandler(aggregateDefinition(envelope.aggregateType), envelope.aggregateId, this.#connection, {
        ...DEFAULT_HANDLER_OPTIONS,
        snapshotEvery: Number(this.env.SNAPSHOT_EVERY ?? DEFAULT_HANDLER_OPTIONS.snapshotEvery),
        onCommit: (_position, eventTypes) => this.ctx.waitUntil(this.#waker.wake(eventTypes)),
      });
      return await this.#handler.submit(envelope);
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  }
}

// The generic command handler behind every AggregateDO: load (snapshot + tail),
// decide, append, evolve - with group commit. Commands that arrive while an
// append is in flight queue up; the next round decides them one after another
// against the in-memory state and appends all their events in one statement.
import { DomainError, UnavailableError, serializeError } from "../domain/shared/errors.ts";
import { evolveAll } from "../domain/shared/decider.ts";
import {
  aggregateStream,
  appendToStream,
  findIdempotencyRecords,
  saveSnapshot,
  type NewEvent,
  type Queryable,
} from "../event-store/index.ts";
import { upcastDomainEvent } from "../domain/upcasters.ts";
import { asRetryable, isTransient } from "../db/transient-errors.ts";
import { alongsideStatements, type AnyAggregateDefinition } from "./aggregate-definition.ts";
import type { CommandEnvelope, CommandOutcome, CommandSuccess } from "./envelope.ts";
import { idempotencyKeyReused, translateStoreError } from "./store-errors.ts";

export interface AggregateHandlerOptions {
  /** Save a snapshot every this many versions. */
  snapshotEvery: number;
  /** Past this many waiting commands, new ones get UNAVAILABLE. */
  maxQueue: number;
  /** At most this many commands decided and appended together. */
  maxBatch: number;
  /** Called (not awaited) after each commit, e.g. to wake the consumers. */
  onCommit?: (position: string) => void;
}

export const DEFAULT_HANDLER_OPTIONS: AggregateHandlerOptions = { snapshotEvery: 10, maxQueue: 1000, maxBatch: 100 };

interface Pending {
  envelope: CommandEnvelope;
  settled: boolean;
  resolve(outcome: CommandOutcome): void;
}

/** What an idempotency key stores: the answer, and the command it answered. */
interface StoredAnswer {
  outcome: CommandSuccess;
  command: string;
}

interface Decided {
  pending: Pending;
  events: NewEvent[];
  version: number;
  view: unknown;
}

export class AggregateCommandHandler {
  #state: unknown;
  #version = 0;
  #loaded = false;
  #queue: Pending[] = [];
  #draining = false;

  constructor(
    private readonly definition: AnyAggregateDefinition,
    private readonly streamId: string,
    private readonly connect: () => Promise<Queryable>,
    private readonly options: AggregateHandlerOptions = DEFAULT_HANDLER_OPTIONS,
  ) {}

  submit(envelope: CommandEnvelope): Promise<CommandOutcome> {
    if (this.#queue.length >= this.options.maxQueue) {
      return Promise.resolve({ ok: false, error: serializeError(new UnavailableError("too many commands queued for this aggregate, retry")) });
    }
    return new Promise((resolve) => {
      this.#queue.push({ envelope, settled: false, resolve });
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#queue.length > 0) await this.#run(this.#queue.splice(0, this.options.maxBatch));
    } finally {
      this.#draining = false;
    }
  }

  async #run(batch: Pending[]): Promise<void> {
    try {
      await this.#commit(batch);
    } catch (error) {
      // The cached state may be ahead of the store now: reload before the next command.
      this.#loaded = false;
      const open = batch.filter((p) => !p.settled);
      // One command's rule can fail a whole batch: find it by running them one by one.
      // Not after a broken connection, though: the batch may have committed, and
      // only the client (with its Idempotency-Key) can retry that safely.
      if (open.length > 1 && !isTransient(error)) {
        for (const pending of open) await this.#run([pending]);
      } else {
        for (const pending of open) settle(pending, { ok: false, error: serializeError(asRetryable(translateStoreError(error))) });
      }
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    const db = await this.connect();
    if (!this.#loaded) await this.#load(db);
    const fresh = await this.#answerReplays(db, batch);
    const { decided, finalState, finalVersion } = await this.#decide(db, fresh);
    const events = decided.flatMap((d) => d.events);
    if (events.length === 0) {
      for (const d of decided) settle(d.pending, this.#success(d, null));
      return;
    }

    const result = await appendToStream(db, this.definition.decider.aggregateType, this.streamId, events, {
      expectedVersion: this.#version,
      idempotency: decided.flatMap((d) => {
        const key = d.pending.envelope.idempotencyKey;
        const answer: StoredAnswer = { outcome: this.#success(d, null), command: fingerprint(d.pending.envelope) };
        return key ? [{ key, result: answer }] : [];
      }),
      alongside: alongsideStatements(this.definition.alongside(events, finalState, finalVersion)),
    });

    const previousVersion = this.#version;
    this.#state = finalState;
    this.#version = result.nextExpectedVersion;
    for (const d of decided) settle(d.pending, this.#success(d, result.position));
    if (result.position) this.options.onCommit?.(result.position);
    await this.#snapshotIfDue(db, previousVersion);
  }

  async #load(db: Queryable): Promise<void> {
    const { decider } = this.definition;
    // A stream of another aggregate type (an id of the wrong kind) loads as
    // absent: the decider answers its own NOT_FOUND, and the append refuses
    // to add events to it.
    const loaded = await aggregateStream(db, this.streamId, {
      streamType: decider.aggregateType,
      initialState: decider.initialState,
      evolve: (state, event) => decider.evolve(state, { type: event.type, data: event.data }),
      snapshot: { stateVersion: decider.stateVersion },
      upcast: upcastDomainEvent,
    });
    this.#state = loaded.state;
    this.#version = loaded.version;
    this.#loaded = true;
  }

  /** Commands whose idempotency key was used before get the stored answer and run no more. */
  async #answerReplays(db: Queryable, batch: Pending[]): Promise<Pending[]> {
    const keys = batch.flatMap((p) => (p.envelope.idempotencyKey ? [p.envelope.idempotencyKey] : []));
    const stored = await findIdempotencyRecords(db, keys);
    const seen = new Set<string>();
    const fresh: Pending[] = [];
    for (const pending of batch) {
      const key = pending.envelope.idempotencyKey;
      const record = key ? stored.get(key) : undefined;
      if (record) {
        const answer = record.result as StoredAnswer;
        settle(
          pending,
          answer.command === fingerprint(pending.envelope)
            ? { ...answer.outcome, position: record.position, replayed: true }
            : { ok: false, error: serializeError(idempotencyKeyReused()) },
        );
      } else if (key && seen.has(key)) {
        // The same key twice in one batch: run it once, answer the retry with a replay next round.
        this.#queue.unshift(pending);
      } else {
        if (key) seen.add(key);
        fresh.push(pending);
      }
    }
    return fresh;
  }

  /** Decides the batch's commands one after another, each against the state the previous ones left. */
  async #decide(db: Queryable, batch: Pending[]): Promise<{ decided: Decided[]; finalState: unknown; finalVersion: number }> {
    const { decider } = this.definition;
    const decided: Decided[] = [];
    let state = this.#state;
    let version = this.#version;
    for (const pending of batch) {
      const { command, metadata } = pending.envelope;
      try {
        const context = await this.definition.loadContext(db, command, state);
        const events = decider.decide(command, state, context);
        state = evolveAll(decider, state, events);
        version += events.length;
        decided.push({
          pending,
          events: events.map((event) => ({
            type: event.type,
            data: event.data,
            metadata: { ...metadata },
            schemaVersion: decider.eventSchemaVersions?.[event.type] ?? 1,
          })),
          version,
          view: this.definition.view(state, version),
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        settle(pending, { ok: false, error: serializeError(error) });
      }
    }
    return { decided, finalState: state, finalVersion: version };
  }

  #success(decided: Decided, position: string | null): CommandSuccess {
    return { ok: true, aggregateId: this.streamId, version: decided.version, position, view: decided.view, replayed: false };
  }

  async #snapshotIfDue(db: Queryable, previousVersion: number): Promise<void> {
    const every = this.options.snapshotEvery;
    if (Math.floor(this.#version / every) === Math.floor(previousVersion / every)) return;
    await saveSnapshot(db, {
      streamId: this.streamId,
      streamType: this.definition.decider.aggregateType,
      version: this.#version,
      stateVersion: this.definition.decider.stateVersion,
      state: this.#state,
    }).catch(() => undefined); // a missing snapshot only costs a longer load
  }
}

/** Same key, same command: a retry. Same key, other command: a client mistake. */
function fingerprint(envelope: CommandEnvelope): string {
  return JSON.stringify(envelope.command);
}

function settle(pending: Pending, outcome: CommandOutcome): void {
  if (pending.settled) return;
  pending.settled = true;
  pending.resolve(outcome);
}

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
  snapshotAlongside,
  type AlongsideStatement,
  type NewEvent,
  type Queryable,
} from "../event-store/index.ts";
import { upcastDomainEvent } from "../domain/upcasters.ts";
import { asRetryable, isTransient } from "../db/transient-errors.ts";
import { alongsideStatements, type AnyAggregateDefinition } from "./aggregate-definition.ts";
import type { CommandEnvelope, CommandOutcome, CommandSuccess } from "./envelope.ts";
import { keepsAnswer, replay, replayRecord, storedAnswer } from "./idempotent-answers.ts";
import { translateStoreError } from "./store-errors.ts";

export interface AggregateHandlerOptions {
  /** Save a snapshot every this many versions. */
  snapshotEvery: number;
  /** Past this many waiting commands, new ones get UNAVAILABLE. */
  maxQueue: number;
  /** At most this many commands decided and appended together. */
  maxBatch: number;
  /** Called (not awaited) after each commit, e.g. to wake the consumers of those event types. */
  onCommit?: (position: string, eventTypes: readonly string[]) => void;
}

export const DEFAULT_HANDLER_OPTIONS: AggregateHandlerOptions = { snapshotEvery: 10, maxQueue: 1000, maxBatch: 100 };

/** The handler's database connection: opened lazily, closed when it may be broken. */
export interface HandlerConnection {
  get(): Promise<Queryable>;
  close(): Promise<void>;
}

interface Pending {
  envelope: CommandEnvelope;
  settled: boolean;
  resolve(outcome: CommandOutcome): void;
  /** Same-key retries that arrived in the same batch: they get this command's answer, and never run. */
  duplicates: Pending[];
  isDuplicate: boolean;
}

/** A command of the batch that got through decide: its events, or the refusal its key keeps. */
interface Decided {
  pending: Pending;
  events: NewEvent[];
  outcome: CommandOutcome;
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
    private readonly connection: HandlerConnection,
    private readonly options: AggregateHandlerOptions = DEFAULT_HANDLER_OPTIONS,
  ) {}

  submit(envelope: CommandEnvelope): Promise<CommandOutcome> {
    if (this.#queue.length >= this.options.maxQueue) {
      return Promise.resolve({ ok: false, error: serializeError(new UnavailableError("too many commands queued for this aggregate, retry")) });
    }
    return new Promise((resolve) => {
      this.#queue.push({ envelope, settled: false, resolve, duplicates: [], isDuplicate: false });
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
      // A broken connection would fail the next batch too, before it decides anything.
      if (isTransient(error)) await this.connection.close();
      const open = batch.filter((p) => !p.settled && !p.isDuplicate);
      // One command's rule can fail a whole batch: find it by running them one by one.
      // Not after a broken connection, though: the batch may have committed, and
      // only the client (with its Idempotency-Key) can retry that safely.
      if (open.length > 1 && !isTransient(error)) {
        for (const pending of open) if (!pending.settled) await this.#run([pending]);
      } else {
        for (const pending of open) settle(pending, { ok: false, error: serializeError(asRetryable(translateStoreError(error))) });
      }
    }
  }

  async #commit(batch: Pending[]): Promise<void> {
    const db = await this.connection.get();
    if (!this.#loaded) await this.#load(db);
    const fresh = await this.#answerReplays(db, batch);
    const { decided, finalState, finalVersion } = await this.#decide(db, fresh);
    const events = decided.flatMap((d) => d.events);
    const idempotency = decided.flatMap(({ pending: { envelope }, outcome }) =>
      envelope.idempotencyKey ? [{ key: envelope.idempotencyKey, result: storedAnswer(envelope, outcome) }] : [],
    );
    // Nothing to write and no answer to keep: no round trip.
    if (events.length === 0 && idempotency.length === 0) {
      for (const d of decided) settle(d.pending, d.outcome);
      return;
    }

    const result = await appendToStream(db, this.definition.decider.aggregateType, this.streamId, events, {
      expectedVersion: this.#version,
      idempotency,
      alongside:
        events.length === 0
          ? []
          : [...alongsideStatements(this.definition.alongside(events, finalState, finalVersion)), ...this.#snapshotIfDue(finalState, finalVersion)],
    });

    this.#state = finalState;
    this.#version = result.nextExpectedVersion;
    for (const d of decided) settle(d.pending, d.outcome.ok ? { ...d.outcome, position: result.position } : d.outcome);
    if (result.position) this.options.onCommit?.(result.position, [...new Set(events.map((e) => e.type))]);
    if (this.#queue.length === 0 && this.definition.isFinished?.(this.#state)) await this.connection.close();
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

  /** Commands whose idempotency key answered before get that answer and run no more. */
  async #answerReplays(db: Queryable, batch: Pending[]): Promise<Pending[]> {
    const keys = batch.flatMap((p) => (p.envelope.idempotencyKey ? [p.envelope.idempotencyKey] : []));
    const stored = await findIdempotencyRecords(db, keys);
    const first = new Map<string, Pending>();
    const fresh: Pending[] = [];
    for (const pending of batch) {
      const key = pending.envelope.idempotencyKey;
      const record = key ? stored.get(key) : undefined;
      const leader = key ? first.get(key) : undefined;
      if (record) {
        settle(pending, replayRecord(pending.envelope, record));
      } else if (leader) {
        // The same key twice in one batch: run it once; the retry shares its fate.
        pending.isDuplicate = true;
        leader.duplicates.push(pending);
      } else {
        if (key) first.set(key, pending);
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
      const { command, metadata, idempotencyKey } = pending.envelope;
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
          outcome: this.#success(version, this.definition.view(state, version)),
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const outcome: CommandOutcome = { ok: false, error: serializeError(error) };
        // A refusal its key keeps waits for the append that stores it.
        if (idempotencyKey && keepsAnswer(outcome)) decided.push({ pending, events: [], outcome });
        else settle(pending, outcome);
      }
    }
    return { decided, finalState: state, finalVersion: version };
  }

  #success(version: number, view: unknown): CommandSuccess {
    return { ok: true, aggregateId: this.streamId, version, position: null, view, replayed: false };
  }

  /**
   * The snapshot, when the batch crosses a multiple of `snapshotEvery`: it
   * commits in the append's statement (the expected version is exact, so the
   * version it will have is known), not in a round trip the next batch waits for.
   */
  #snapshotIfDue(state: unknown, version: number): AlongsideStatement[] {
    const every = this.options.snapshotEvery;
    if (Math.floor(version / every) === Math.floor(this.#version / every)) return [];
    const { aggregateType, stateVersion } = this.definition.decider;
    return [snapshotAlongside({ streamId: this.streamId, streamType: aggregateType, version, stateVersion, state })];
  }
}

/** Answers a command and the same-key retries that waited for it. */
function settle(pending: Pending, outcome: CommandOutcome): void {
  if (pending.settled) return;
  pending.settled = true;
  pending.resolve(outcome);
  const answer = storedAnswer(pending.envelope, outcome);
  for (const duplicate of pending.duplicates) settle(duplicate, replay(duplicate.envelope, answer, outcome.ok ? outcome.position : null));
}

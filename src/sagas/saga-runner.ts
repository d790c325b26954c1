// Runs one order saga: feeds its state machine one input at a time, appends
// the events it decides to the saga's own stream (with the event_store.sagas
// row in the same statement), keeps the one alarm at the earliest due time,
// and carries out the attempt the state says is running. Everything it needs
// to carry on after a crash is in the stream; the in-flight attempt is simply
// run again, and its idempotency keys make that harmless.
import { sql } from "drizzle-orm";
import { aggregateStream, appendToStream, type Queryable } from "../event-store/index.ts";
import { CircuitOpenError } from "./circuit-breaker.ts";
import { decideSaga, evolveSaga, initialSagaState, nextDueAt, runningAttempt } from "./order-saga.ts";
import { SAGA_TYPE, type ActiveOrderSaga, type ForwardStep, type OrderSagaEvent, type OrderSagaState, type SagaInput } from "./order-saga-types.ts";
import { runStep, StepFailure, type StepPorts } from "./order-saga-steps.ts";
import type { StepPolicy } from "./step-policy.ts";
import { errorFields, logLine, type LogFields } from "../telemetry/log.ts";

export interface SagaRunnerPorts extends StepPorts {
  db(): Promise<Queryable>;
  policies: Record<ForwardStep, StepPolicy>;
  /** Sets (or with null, clears) the one alarm. */
  setAlarm(at: number | null): Promise<void>;
  /** Called after each commit of saga events (wakes the log's consumers). */
  onCommit?(position: string, eventTypes: readonly string[]): void;
  /** Keeps the Durable Object alive while an attempt runs in the background. */
  waitUntil(work: Promise<unknown>): void;
  /** Lets go of the database connection while the saga only waits (for a retry, or for nothing). */
  release(): Promise<void>;
}

export class OrderSagaRunner {
  #state: OrderSagaState = initialSagaState();
  #version = 0;
  #loaded = false;
  /** Inputs are decided and appended one at a time. */
  #queue: Promise<void> = Promise.resolve();
  /** "step#attempt" being carried out by this instance. */
  #executing: string | null = null;
  /** An earlier wake-up than the state's own due time (a paused provider). */
  #recheckAt: number | null = null;
  /** The log position of this instance's last append, for log lines. */
  #position: string | null = null;

  constructor(
    readonly sagaId: string,
    private readonly correlationId: string,
    private readonly ports: SagaRunnerPorts,
  ) {}

  get state(): OrderSagaState {
    return this.#state;
  }

  /** Decides `input` after every input before it, then carries on with the running attempt. */
  handle(input: SagaInput): Promise<OrderSagaState> {
    const done = this.#queue.then(() => this.#apply(input));
    this.#queue = done.catch(() => undefined);
    return done.then(() => {
      this.#carryOn();
      return this.#state;
    });
  }

  async #apply(input: SagaInput): Promise<void> {
    try {
      const db = await this.ports.db();
      if (!this.#loaded) await this.#load(db);
      const events = decideSaga(this.#state, input, this.ports.now(), this.ports.policies);
      if (events.length > 0) await this.#append(db, events);
      await this.#armAlarm();
      // A waiting saga holds no connection: thousands of them may wait at once.
      if (!runningAttempt(this.#state)) await this.ports.release();
    } catch (error) {
      // The stream is the truth: reload it before the next input.
      this.#loaded = false;
      throw error;
    }
  }

  async #load(db: Queryable): Promise<void> {
    const loaded = await aggregateStream(db, this.sagaId, {
      streamType: SAGA_TYPE,
      initialState: initialSagaState,
      evolve: (state, event) => evolveSaga(state, { type: event.type, data: event.data } as OrderSagaEvent),
    });
    this.#state = loaded.state;
    this.#version = loaded.version;
    this.#loaded = true;
  }

  async #append(db: Queryable, events: OrderSagaEvent[]): Promise<void> {
    const state = events.reduce(evolveSaga, this.#state);
    const version = this.#version + events.length;
    // orderId links every saga event to its order, for the read model that shows the order's saga.
    const orderId = state.status === "absent" ? undefined : state.orderId;
    const metadata = { correlationId: this.correlationId, causationId: this.sagaId, actor: "order_saga", orderId };
    const result = await appendToStream(db, SAGA_TYPE, this.sagaId, events.map((e) => ({ ...e, metadata })), {
      expectedVersion: this.#version,
      alongside: state.status === "absent" ? [] : [{ statement: sagaRow(this.sagaId, state, version), minRows: 1 }],
    });
    const before = this.#state;
    this.#state = state;
    this.#version = result.nextExpectedVersion;
    if (result.position) {
      this.#position = result.position;
      this.ports.onCommit?.(result.position, [...new Set(events.map((e) => e.type))]);
    }
    // Once recorded, each failure (a provider's refusal, a timeout, compensation starting, the saga failing) is a log line.
    // Compensation that starts because of the failure just logged says what it undoes, not the same code again;
    // started by a cancel, its line is the only one with the cause, so it keeps the code.
    let logged: { step?: string; code: string } | undefined;
    for (const event of events) {
      if (!("error" in event.data)) continue;
      const data = event.data as { step?: string; failedStep?: string; attempt?: number; compensations?: string[] };
      const step = data.step ?? data.failedStep;
      const error = errorFields(event.data.error);
      const repeated = event.type === "order_saga.compensation_started" && logged !== undefined && logged.step === step && logged.code === error.code;
      this.log(event.type === "order_saga.failed" ? "error" : "warn", `saga ${event.type}`, {
        step,
        attempt: data.attempt,
        ...(data.compensations ? { compensations: data.compensations.join(",") } : {}),
        ...(repeated ? {} : error),
      });
      logged = { step, code: error.code };
    }
    if (state.status === "failed" && before.status !== "failed") this.ports.waitUntil(this.#failOrder(state));
  }

  async #armAlarm(): Promise<void> {
    const due = nextDueAt(this.#state);
    const recheck = this.#recheckAt;
    await this.ports.setAlarm(due === null ? recheck : recheck === null ? due : Math.min(due, recheck));
  }

  /** Starts the running attempt unless this instance is already carrying it out. */
  #carryOn(): void {
    const running = runningAttempt(this.#state);
    if (!running || this.#state.status === "absent") return;
    const label = `${running.step}#${running.attempt}`;
    if (this.#executing === label) return;
    this.#executing = label;
    this.#recheckAt = null;
    const saga = this.#state;
    const attempt = runStep(saga, running.step, running.attempt, this.ports)
      .then((result) => this.handle({ type: "step_succeeded", ...running, result }))
      .catch((error: unknown) => {
        if (error instanceof CircuitOpenError) {
          // The provider is paused: wait for it (the attempt's deadline still runs) rather than spend a retry.
          this.#recheckAt = error.retryAt;
          return this.handle({ type: "due" });
        }
        const failure = error instanceof StepFailure ? error : new StepFailure({ code: "INTERNAL", message: String(error) }, true);
        return this.handle({ type: "step_failed", ...running, error: failure.error, retryable: failure.retryable });
      })
      .catch((error: unknown) => this.log("error", "saga could not record a step's outcome; its alarm tries again", { step: running.step, attempt: running.attempt, ...errorFields(error) }))
      // The next attempt (if any) was started by handle(); an outcome that could not
      // be recorded is left to the alarm rather than retried in a tight loop.
      .finally(() => {
        if (this.#executing === label) this.#executing = null;
      });
    this.ports.waitUntil(attempt);
  }

  /**
   * A saga that could not undo itself leaves its order `failed`, for an operator.
   * Best effort: the saga's own status already says so if this is lost.
   */
  async #failOrder(state: ActiveOrderSaga): Promise<void> {
    const reason = `${state.compensationFailure?.step ?? "compensation"} kept failing: ${state.compensationFailure?.code ?? "UNKNOWN"}`;
    await this.ports
      .send({ aggregateType: "order", aggregateId: state.orderId, command: { type: "failOrder", data: { id: state.orderId, reason } }, idempotencyKey: `saga:${this.sagaId}:failed:order` })
      .catch((error: unknown) => this.log("error", "saga could not mark its order failed", { orderId: state.orderId, ...errorFields(error) }));
  }

  /** One JSON log line about this saga: where it stands and whose request started it. */
  log(level: "warn" | "error", message: string, fields: LogFields): void {
    logLine(level, message, { sagaId: this.sagaId, position: this.#position, version: this.#version, correlationId: this.correlationId, ...fields });
  }

  /** The alarm: a deadline or retry time passed, or a paused provider may be back. */
  async wake(): Promise<OrderSagaState> {
    this.#recheckAt = null;
    return this.handle({ type: "due" });
  }
}

/** The event_store.sagas row: what operators and GraphQL read, current with the stream. */
function sagaRow(sagaId: string, state: Exclude<OrderSagaState, { status: "absent" }>, version: number) {
  return sql`INSERT INTO event_store.sagas (saga_id, saga_type, state, status, current_step, version)
    VALUES (${sagaId}::uuid, ${SAGA_TYPE}, ${JSON.stringify(state)}::jsonb, ${state.status}, ${state.currentStep}, ${version})
    ON CONFLICT (saga_id) DO UPDATE SET state = excluded.state, status = excluded.status, current_step = excluded.current_step,
      version = excluded.version, updated_at = now()
    WHERE event_store.sagas.version < excluded.version
    RETURNING saga_id`;
}

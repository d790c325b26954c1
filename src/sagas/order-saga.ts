// The order saga as a pure state machine: (state, input, now) -> events, and
// evolve(state, event) -> state. It knows nothing of Durable Objects, Postgres
// or services; the SagaDO feeds it inputs (the order, step outcomes, due
// timers, a user's cancel), appends the events it returns to the saga's own
// stream, and runs the step the state says is running (effects.ts).
//
// Forward steps run in order; each attempt has a deadline, a failed attempt is
// retried after a backoff unless its error is final, and a step that fails
// for good starts compensation: every step that was started is undone, last
// first, and the order is cancelled. A compensation that keeps failing ends
// the saga `failed`, for an operator.
import { mayRetry, retryDelay, type StepPolicy } from "./step-policy.ts";
import {
  ACTIVE_STATUSES,
  COMPENSATION_OF,
  FORWARD_STEPS,
  NEVER_RETRIED,
  ORDER_CANCELLED_BY_USER,
  STEP_EVENTS,
  STEP_TIMEOUT,
  isForwardStep,
  policyOf,
  type ActiveOrderSaga,
  type CompensationStep,
  type ForwardStep,
  type OrderSagaEvent,
  type OrderSagaState,
  type SagaError,
  type SagaInput,
  type SagaStep,
  type StepAttempt,
  type StepResult,
} from "./order-saga-types.ts";

export * from "./order-saga-types.ts";

export function decideSaga(state: OrderSagaState, input: SagaInput, now: number, policies: Record<ForwardStep, StepPolicy>): OrderSagaEvent[] {
  if (input.type === "start") {
    if (state.status !== "absent") return [];
    return [{ type: "order_saga.started", data: { sagaId: input.sagaId, ...input.order, at: now } }, begin("reserve_inventory", 1, now, policies)];
  }
  if (state.status === "absent" || !state.currentStep) return [];
  const step = state.currentStep;
  switch (input.type) {
    case "step_succeeded": {
      // Any attempt's success counts: effects are idempotent per step, so a late
      // answer to an attempt that timed out reports what the retry would do.
      if (input.step !== step) return [];
      const succeeded = { type: STEP_EVENTS[step].succeeded, data: { step, attempt: input.attempt, at: now, result: input.result ?? {} } } as OrderSagaEvent;
      return [succeeded, ...advance(state, step, now, policies)];
    }
    case "step_failed":
      if (input.step !== step || input.attempt !== state.attempt || state.phase !== "running") return [];
      return fail(state, step, input.error, input.retryable, now, policies);
    case "due":
      if (state.phase === "running" && state.deadline !== null && now >= state.deadline) {
        const timeoutMs = policyOf(policies, step).timeoutMs;
        return fail(state, step, { code: STEP_TIMEOUT, message: `${step} did not finish within ${timeoutMs} ms` }, true, now, policies);
      }
      if (state.phase === "waiting" && state.retryAt !== null && now >= state.retryAt) {
        if (isForwardStep(step) && state.cancelRequested) return compensate(state, step, cancelError(state), now, policies);
        return [begin(step, state.attempt + 1, now, policies)];
      }
      return [];
    case "cancel_requested": {
      if (state.status !== "started" || state.cancelRequested || !isForwardStep(step)) return [];
      const requested: OrderSagaEvent = { type: "order_saga.cancel_requested", data: { at: now, reason: input.reason } };
      // A running step finishes first (its effect may be under way); a waiting one is abandoned now.
      if (state.phase !== "waiting") return [requested];
      return [requested, ...compensate({ ...state, cancelRequested: { reason: input.reason } }, step, cancelError({ cancelRequested: { reason: input.reason } }), now, policies)];
    }
  }
}

/** After `step` succeeded: the next step, compensation (if a cancel is pending), or the end. */
function advance(state: ActiveOrderSaga, step: SagaStep, now: number, policies: Record<ForwardStep, StepPolicy>): OrderSagaEvent[] {
  if (isForwardStep(step)) {
    const next = FORWARD_STEPS[FORWARD_STEPS.indexOf(step) + 1];
    if (!next) return [{ type: "order_saga.completed", data: { at: now } }];
    if (state.cancelRequested) return compensate(state, step, cancelError(state), now, policies);
    return [begin(next, 1, now, policies)];
  }
  const next = state.compensations[state.compensations.indexOf(step) + 1];
  return next ? [begin(next, 1, now, policies)] : [{ type: "order_saga.compensated", data: { at: now } }];
}

function fail(
  state: ActiveOrderSaga,
  step: SagaStep,
  error: SagaError,
  retryable: boolean,
  now: number,
  policies: Record<ForwardStep, StepPolicy>,
): OrderSagaEvent[] {
  const policy = policyOf(policies, step);
  const abandon = isForwardStep(step) && state.cancelRequested !== null;
  const retry = retryable && !NEVER_RETRIED.has(error.code) && mayRetry(policy, state.attempt) && !abandon;
  const retryAt = retry ? now + retryDelay(policy, state.attempt) : null;
  const failed = { type: STEP_EVENTS[step].failed, data: { step, attempt: state.attempt, at: now, error, retryAt } } as OrderSagaEvent;
  if (retry) return [failed];
  if (isForwardStep(step)) return [failed, ...compensate(state, step, abandon ? cancelError(state) : error, now, policies)];
  return [failed, { type: "order_saga.failed", data: { at: now, step, error } }];
}

/** Undo every step that was started, last first, and cancel the order. */
function compensate(
  state: ActiveOrderSaga,
  failedStep: ForwardStep,
  error: SagaError,
  now: number,
  policies: Record<ForwardStep, StepPolicy>,
): OrderSagaEvent[] {
  const started = state.startedSteps.includes(failedStep) ? state.startedSteps : [...state.startedSteps, failedStep];
  const compensations: CompensationStep[] = [...started].reverse().map((s) => COMPENSATION_OF[s]);
  if (!compensations.includes("cancel_order")) compensations.push("cancel_order");
  return [
    { type: "order_saga.compensation_started", data: { at: now, failedStep, error, compensations } },
    begin(compensations[0]!, 1, now, policies),
  ];
}

function begin(step: SagaStep, attempt: number, now: number, policies: Record<ForwardStep, StepPolicy>): OrderSagaEvent {
  return { type: "order_saga.step_started", data: { step, attempt, at: now, deadline: now + policyOf(policies, step).timeoutMs } };
}

function cancelError(state: { cancelRequested: { reason: string | null } | null }): SagaError {
  return { code: ORDER_CANCELLED_BY_USER, message: state.cancelRequested?.reason ?? "the order was cancelled" };
}

const SUCCEEDED_TYPES = new Set<string>(Object.values(STEP_EVENTS).map((e) => e.succeeded));
const FAILED_TYPES = new Set<string>(Object.values(STEP_EVENTS).map((e) => e.failed));

export function evolveSaga(state: OrderSagaState, event: OrderSagaEvent): OrderSagaState {
  if (event.type === "order_saga.started") {
    const { sagaId, orderId, userId, items, totalAmount } = event.data;
    return {
      status: "started",
      sagaId,
      orderId,
      userId,
      items,
      totalAmount,
      currentStep: null,
      attempt: 0,
      phase: "idle",
      deadline: null,
      retryAt: null,
      startedSteps: [],
      compensations: [],
      result: {},
      cancelRequested: null,
      failure: null,
      compensationFailure: null,
      history: [],
    };
  }
  if (state.status === "absent") return state;
  if (SUCCEEDED_TYPES.has(event.type)) {
    const { at, result } = event.data as { at: number; result: StepResult };
    return { ...state, phase: "idle", deadline: null, history: finishAttempt(state.history, at, "succeeded", null), result: { ...state.result, ...result } };
  }
  if (FAILED_TYPES.has(event.type)) {
    const { at, error, retryAt } = event.data as { at: number; error: SagaError; retryAt: number | null };
    const outcome = error.code === STEP_TIMEOUT ? "timed_out" : "failed";
    return { ...state, phase: retryAt === null ? "idle" : "waiting", deadline: null, retryAt, history: finishAttempt(state.history, at, outcome, error) };
  }
  switch (event.type) {
    case "order_saga.step_started": {
      const { step, attempt, at, deadline } = event.data;
      const startedSteps = isForwardStep(step) && !state.startedSteps.includes(step) ? [...state.startedSteps, step] : state.startedSteps;
      const record: StepAttempt = { step, attempt, startedAt: at, finishedAt: null, outcome: "running", error: null };
      return { ...state, currentStep: step, attempt, phase: "running", deadline, retryAt: null, startedSteps, history: [...state.history, record] };
    }
    case "order_saga.cancel_requested":
      return { ...state, cancelRequested: { reason: event.data.reason } };
    case "order_saga.compensation_started":
      return { ...state, status: "compensating", compensations: event.data.compensations, failure: { ...event.data.error, step: event.data.failedStep } };
    case "order_saga.completed":
      return { ...ended(state), status: "completed" };
    case "order_saga.compensated":
      return { ...ended(state), status: "compensated" };
    case "order_saga.failed":
      return { ...ended(state), status: "failed", compensationFailure: { ...event.data.error, step: event.data.step } };
    default:
      return state;
  }
}

function ended(state: ActiveOrderSaga): ActiveOrderSaga {
  return { ...state, currentStep: null, phase: "idle", deadline: null, retryAt: null };
}

function finishAttempt(history: StepAttempt[], at: number, outcome: StepAttempt["outcome"], error: SagaError | null): StepAttempt[] {
  const last = history.at(-1);
  if (!last || last.outcome !== "running") return history;
  return [...history.slice(0, -1), { ...last, finishedAt: at, outcome, error }];
}

/** When the saga next needs a timer: its attempt's deadline or its retry time. */
export function nextDueAt(state: OrderSagaState): number | null {
  if (state.status === "absent") return null;
  if (state.phase === "running") return state.deadline;
  if (state.phase === "waiting") return state.retryAt;
  return null;
}

/** The attempt the runner must be carrying out now, if any. */
export function runningAttempt(state: OrderSagaState): { step: SagaStep; attempt: number } | null {
  if (state.status === "absent" || state.phase !== "running" || !state.currentStep) return null;
  return { step: state.currentStep, attempt: state.attempt };
}

export function isActive(state: OrderSagaState): boolean {
  return state.status !== "absent" && ACTIVE_STATUSES.includes(state.status);
}

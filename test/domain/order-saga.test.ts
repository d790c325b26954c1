// The order saga as a pure state machine: given(inputs so far).when(input, at).then(events).
import { describe, expect, it } from "vitest";
import {
  COMPENSATION_OF,
  DEFAULT_STEP_POLICIES,
  FORWARD_STEPS,
  STEP_EVENTS,
  decideSaga,
  evolveSaga,
  initialSagaState,
  nextDueAt,
  runningAttempt,
  type ForwardStep,
  type OrderSagaEvent,
  type OrderSagaState,
  type SagaInput,
  type SagaStep,
} from "../../src/sagas/order-saga.ts";
import { retryDelay, scalePolicies, type StepPolicy } from "../../src/sagas/step-policy.ts";

const policies: Record<ForwardStep, StepPolicy> = DEFAULT_STEP_POLICIES;
const order = { orderId: "o-1", userId: "u-1", items: [{ productId: "p-1", quantity: 2 }], totalAmount: 1998 };
const T0 = 1_000_000;

/** Feeds inputs through the machine, returning every event and the final state. */
function run(inputs: [SagaInput, number][], state: OrderSagaState = initialSagaState()) {
  const events: OrderSagaEvent[] = [];
  for (const [input, now] of inputs) {
    const decided = decideSaga(state, input, now, policies);
    state = decided.reduce(evolveSaga, state);
    events.push(...decided);
  }
  return { state, events };
}

function given(...inputs: [SagaInput, number][]) {
  const { state } = run(inputs);
  return {
    state,
    when(input: SagaInput, now: number) {
      const events = decideSaga(state, input, now, policies);
      return {
        events,
        state: events.reduce(evolveSaga, state),
        then(expected: { type: string; data?: Record<string, unknown> }[]) {
          expect(events).toEqual(expected.map((e) => (e.data ? { type: e.type, data: expect.objectContaining(e.data) } : expect.objectContaining({ type: e.type }))));
          return this;
        },
      };
    },
  };
}

const start: [SagaInput, number] = [{ type: "start", sagaId: "s-1", order }, T0];
const ok = (step: SagaStep, attempt = 1, at = T0, result = {}): [SagaInput, number] => [{ type: "step_succeeded", step, attempt, result }, at];
const failed = (step: SagaStep, code: string, retryable: boolean, attempt = 1, at = T0): [SagaInput, number] => [
  { type: "step_failed", step, attempt, error: { code, message: code }, retryable },
  at,
];
const due = (at: number): [SagaInput, number] => [{ type: "due" }, at];

/** The inputs that bring the saga to the start of `step`, every earlier step succeeding. */
function upTo(step: ForwardStep): [SagaInput, number][] {
  return [start, ...FORWARD_STEPS.slice(0, FORWARD_STEPS.indexOf(step)).map((s) => ok(s))];
}

describe("order saga: the forward path", () => {
  it("starts once per order with the first step, deadline set by its policy", () => {
    given()
      .when(start[0], T0)
      .then([
        { type: "order_saga.started", data: { sagaId: "s-1", orderId: "o-1", totalAmount: 1998 } },
        { type: "order_saga.step_started", data: { step: "reserve_inventory", attempt: 1, deadline: T0 + 30_000 } },
      ]);
    given(start).when(start[0], T0 + 5).then([]);
  });

  it("runs the four steps in order and completes", () => {
    const { state, events } = run([start, ok("reserve_inventory"), ok("process_payment", 1, T0, { paymentId: "pay-1" }), ok("arrange_shipping", 1, T0, { trackingNumber: "T-1" }), ok("confirm_order")]);
    expect(events.map((e) => e.type)).toEqual([
      "order_saga.started",
      "order_saga.step_started",
      "inventory.reserved",
      "order_saga.step_started",
      "payment.processed",
      "order_saga.step_started",
      "shipping.arranged",
      "order_saga.step_started",
      "order_saga.order_confirmed",
      "order_saga.completed",
    ]);
    expect(state).toMatchObject({ status: "completed", currentStep: null, result: { paymentId: "pay-1", trackingNumber: "T-1" } });
    if (state.status === "absent") throw new Error("unreachable");
    expect(state.history.map((h) => [h.step, h.attempt, h.outcome])).toEqual(FORWARD_STEPS.map((s) => [s, 1, "succeeded"]));
    expect(nextDueAt(state)).toBeNull();
  });

  it("says which attempt must be running and when its timer is due", () => {
    const { state } = given(...upTo("process_payment"));
    expect(runningAttempt(state)).toEqual({ step: "process_payment", attempt: 1 });
    expect(nextDueAt(state)).toBe(T0 + 60_000);
  });
});

describe("order saga: retries", () => {
  it.each(FORWARD_STEPS)("%s failing retryably is retried after its backoff, then succeeds", (step) => {
    const policy = policies[step];
    const spec = given(...upTo(step), failed(step, "UNAVAILABLE", true, 1, T0 + 10));
    const retryAt = T0 + 10 + retryDelay(policy, 1);
    expect(spec.state).toMatchObject({ phase: "waiting", retryAt });
    expect(nextDueAt(spec.state)).toBe(retryAt);
    spec.when({ type: "due" }, retryAt - 1).then([]);
    const retried = spec.when({ type: "due" }, retryAt).then([{ type: "order_saga.step_started", data: { step, attempt: 2, deadline: retryAt + policy.timeoutMs } }]);
    const next = FORWARD_STEPS[FORWARD_STEPS.indexOf(step) + 1];
    const after = decideSaga(retried.state, { type: "step_succeeded", step, attempt: 2 }, retryAt + 5, policies);
    expect(after.map((e) => e.type)).toEqual([STEP_EVENTS[step].succeeded, next ? "order_saga.step_started" : "order_saga.completed"]);
  });

  it("backs off exponentially, linearly or constantly, as each step's policy says", () => {
    expect([1, 2, 3].map((n) => retryDelay(policies.reserve_inventory, n))).toEqual([1_000, 2_000, 4_000]);
    expect([1, 2, 3].map((n) => retryDelay(policies.arrange_shipping, n))).toEqual([1_000, 2_000, 3_000]);
    expect([1, 2, 3].map((n) => retryDelay(policies.confirm_order, n))).toEqual([1_000, 1_000, 1_000]);
    expect(scalePolicies(policies, 0.001).process_payment).toEqual({ timeoutMs: 60, retries: 2, backoff: "exponential", retryDelayMs: 1 });
  });

  it("ignores outcomes of other steps and of attempts it is not waiting for", () => {
    const spec = given(...upTo("process_payment"));
    spec.when({ type: "step_failed", step: "process_payment", attempt: 2, error: { code: "X", message: "x" }, retryable: true }, T0).then([]);
    spec.when({ type: "step_succeeded", step: "reserve_inventory", attempt: 1 }, T0).then([]);
    spec.when({ type: "due" }, T0 + 59_999).then([]);
  });

  it("takes a late success of an attempt that timed out: the step's effects are idempotent", () => {
    const spec = given(...upTo("process_payment"), due(T0 + 60_000));
    expect(spec.state).toMatchObject({ phase: "waiting", attempt: 1 });
    spec.when({ type: "step_succeeded", step: "process_payment", attempt: 1, result: { paymentId: "p" } }, T0 + 60_001).then([
      { type: "payment.processed" },
      { type: "order_saga.step_started", data: { step: "arrange_shipping", attempt: 1 } },
    ]);
  });
});

describe("order saga: compensation", () => {
  const compensationsAfter: Record<ForwardStep, string[]> = {
    reserve_inventory: ["release_inventory", "cancel_order"],
    process_payment: ["refund_payment", "release_inventory", "cancel_order"],
    arrange_shipping: ["cancel_shipping", "refund_payment", "release_inventory", "cancel_order"],
    confirm_order: ["cancel_order", "cancel_shipping", "refund_payment", "release_inventory"],
  };

  it.each(FORWARD_STEPS)("%s failing for good undoes every started step in reverse and ends compensated", (step) => {
    const spec = given(...upTo(step)).when({ type: "step_failed", step, attempt: 1, error: { code: "INSUFFICIENT_FUNDS", message: "no money" }, retryable: true }, T0 + 1);
    const compensations = compensationsAfter[step];
    spec.then([
      { type: STEP_EVENTS[step].failed, data: { retryAt: null } },
      { type: "order_saga.compensation_started", data: { failedStep: step, error: { code: "INSUFFICIENT_FUNDS", message: "no money" }, compensations } },
      { type: "order_saga.step_started", data: { step: compensations[0], attempt: 1 } },
    ]);
    const { state, events } = run(compensations.map((c) => ok(c as SagaStep)), spec.state);
    expect(events.map((e) => e.type)).toEqual([
      ...compensations.flatMap((c, i) => [STEP_EVENTS[c as SagaStep].succeeded, ...(i < compensations.length - 1 ? ["order_saga.step_started"] : [])]),
      "order_saga.compensated",
    ]);
    expect(state).toMatchObject({ status: "compensated", failure: { step, code: "INSUFFICIENT_FUNDS" }, currentStep: null });
  });

  it("never retries the errors the seed lists, whatever the caller says", () => {
    for (const code of ["INSUFFICIENT_STOCK", "PRODUCT_NOT_FOUND", "INVALID_PAYMENT_METHOD", "FRAUD_DETECTED", "INVALID_ADDRESS", "RESTRICTED_AREA"]) {
      const events = given(...upTo("arrange_shipping")).when({ type: "step_failed", step: "arrange_shipping", attempt: 1, error: { code, message: code }, retryable: true }, T0).events;
      expect(events[1]?.type, code).toBe("order_saga.compensation_started");
    }
  });

  it.each(FORWARD_STEPS)("%s timing out on every attempt compensates after its retries", (step) => {
    const policy = policies[step];
    let { state } = given(...upTo(step));
    const seen: string[] = [];
    for (let attempt = 1; attempt <= policy.retries + 1; attempt++) {
      const deadline = nextDueAt(state)!;
      let events = decideSaga(state, { type: "due" }, deadline, policies);
      state = events.reduce(evolveSaga, state);
      seen.push(...events.map((e) => e.type));
      if (attempt <= policy.retries) {
        events = decideSaga(state, { type: "due" }, nextDueAt(state)!, policies);
        state = events.reduce(evolveSaga, state);
        expect(runningAttempt(state)).toEqual({ step, attempt: attempt + 1 });
      }
    }
    expect(seen.filter((t) => t === STEP_EVENTS[step].failed)).toHaveLength(policy.retries + 1);
    expect(seen.at(-2)).toBe("order_saga.compensation_started");
    if (state.status === "absent") throw new Error("unreachable");
    expect(state.history.filter((h) => h.step === step).map((h) => h.outcome)).toEqual(Array(policy.retries + 1).fill("timed_out"));
    expect(state.failure).toMatchObject({ step, code: "STEP_TIMEOUT" });
  });

  it("a compensation that keeps failing ends the saga failed, with the reason kept", () => {
    let { state } = given(...upTo("process_payment"), failed("process_payment", "FRAUD_DETECTED", false));
    expect(runningAttempt(state)).toEqual({ step: "refund_payment", attempt: 1 });
    const events: OrderSagaEvent[] = [];
    for (let attempt = 1; attempt <= policies.process_payment.retries + 1; attempt++) {
      const now = T0 + attempt * 100_000;
      const decided = decideSaga(state, { type: "step_failed", step: "refund_payment", attempt, error: { code: "UNAVAILABLE", message: "gateway down" }, retryable: true }, now, policies);
      state = decided.reduce(evolveSaga, state);
      events.push(...decided);
      const retry = nextDueAt(state);
      if (retry !== null) state = decideSaga(state, { type: "due" }, retry, policies).reduce(evolveSaga, state);
    }
    expect(events.at(-1)).toMatchObject({ type: "order_saga.failed", data: { step: "refund_payment", error: { code: "UNAVAILABLE" } } });
    expect(state).toMatchObject({
      status: "failed",
      failure: { step: "process_payment", code: "FRAUD_DETECTED" },
      compensationFailure: { step: "refund_payment", code: "UNAVAILABLE" },
    });
  });
});

describe("order saga: a user's cancel", () => {
  it("while a step runs: the step finishes, then what was done is compensated", () => {
    const spec = given(...upTo("process_payment")).when({ type: "cancel_requested", reason: "changed my mind" }, T0).then([
      { type: "order_saga.cancel_requested", data: { reason: "changed my mind" } },
    ]);
    const after = decideSaga(spec.state, { type: "step_succeeded", step: "process_payment", attempt: 1, result: { paymentId: "p" } }, T0 + 1, policies);
    expect(after.map((e) => e.type)).toEqual(["payment.processed", "order_saga.compensation_started", "order_saga.step_started"]);
    expect(after[1]).toMatchObject({ data: { error: { code: "ORDER_CANCELLED", message: "changed my mind" }, compensations: ["refund_payment", "release_inventory", "cancel_order"] } });
  });

  it("while a step waits for its retry: compensation starts at once", () => {
    given(...upTo("arrange_shipping"), failed("arrange_shipping", "UNAVAILABLE", true))
      .when({ type: "cancel_requested", reason: null }, T0 + 1)
      .then([
        { type: "order_saga.cancel_requested" },
        { type: "order_saga.compensation_started", data: { failedStep: "arrange_shipping", compensations: ["cancel_shipping", "refund_payment", "release_inventory", "cancel_order"] } },
        { type: "order_saga.step_started", data: { step: "cancel_shipping" } },
      ]);
  });

  it("a failed step is not retried once a cancel is pending", () => {
    const spec = given(...upTo("reserve_inventory"), [{ type: "cancel_requested", reason: null }, T0]).when(
      { type: "step_failed", step: "reserve_inventory", attempt: 1, error: { code: "UNAVAILABLE", message: "x" }, retryable: true },
      T0,
    );
    expect(spec.events.map((e) => e.type)).toEqual(["inventory.failed", "order_saga.compensation_started", "order_saga.step_started"]);
  });

  it("is ignored once the saga completed or is compensating", () => {
    given(...upTo("confirm_order"), ok("confirm_order")).when({ type: "cancel_requested", reason: null }, T0).then([]);
    given(...upTo("process_payment"), failed("process_payment", "FRAUD_DETECTED", false)).when({ type: "cancel_requested", reason: null }, T0).then([]);
  });

  it("every compensation is named for a step", () => {
    expect(Object.values(COMPENSATION_OF).sort()).toEqual(["cancel_order", "cancel_shipping", "refund_payment", "release_inventory"]);
  });
});

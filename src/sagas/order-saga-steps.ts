// What each saga step does to the world: commands to the product and order
// aggregates and calls to the payment and shipping providers. Every effect
// carries an idempotency key made of (saga, step, target) and no attempt
// number, so a retry after an answer that was lost (UNAVAILABLE: "may have
// committed") or a replay after a crash gets the first answer back instead of
// reserving, charging or shipping twice.
import type { DomainCommand } from "../domain/shared/decider.ts";
import { DomainError } from "../domain/shared/errors.ts";
import { CircuitOpenError, type CircuitBreaker } from "./circuit-breaker.ts";
import { STEP_TIMEOUT, type ActiveOrderSaga, type SagaError, type SagaStep, type StepResult } from "./order-saga-types.ts";
import { ServiceError, type PaymentService, type ShippingService } from "./simulated-services.ts";

export interface SagaCommand {
  aggregateType: "product" | "order";
  aggregateId: string;
  command: DomainCommand;
  idempotencyKey: string;
}

export interface StepPorts {
  /** Sends a command to its aggregate; throws its DomainError. */
  send(command: SagaCommand): Promise<void>;
  payment: PaymentService;
  shipping: ShippingService;
  breakers: { payment: CircuitBreaker; shipping: CircuitBreaker };
  now(): number;
}

/** A step attempt's failure as the state machine takes it. */
export class StepFailure extends Error {
  constructor(
    readonly error: SagaError,
    readonly retryable: boolean,
  ) {
    super(error.message);
    this.name = "StepFailure";
  }
}

/** Runs one attempt of `step`; throws StepFailure, or CircuitOpenError when a provider is paused. */
export async function runStep(saga: ActiveOrderSaga, step: SagaStep, attempt: number, ports: StepPorts): Promise<StepResult> {
  // A provider that does not answer is given up on at the step's deadline, as an HTTP client's timeout would.
  // The timer is cleared with the step: a pending one would keep the Durable Object from being evicted.
  const deadline = new AbortController();
  const timer = saga.deadline === null ? undefined : setTimeout(() => deadline.abort(), Math.max(0, saga.deadline - ports.now()));
  try {
    return await effects(saga, step, attempt, ports, deadline.signal);
  } catch (error) {
    if (error instanceof CircuitOpenError || error instanceof StepFailure) throw error;
    if (deadline.signal.aborted) throw new StepFailure({ code: STEP_TIMEOUT, message: `${step} did not finish before its deadline` }, true);
    throw asStepFailure(error);
  } finally {
    clearTimeout(timer);
  }
}

async function effects(saga: ActiveOrderSaga, step: SagaStep, attempt: number, ports: StepPorts, signal: AbortSignal): Promise<StepResult> {
  const key = (target: string) => `saga:${saga.sagaId}:${step}:${target}`;
  const order = (command: DomainCommand, alreadyDone: string[] = []) =>
    tolerate(alreadyDone, ports.send({ aggregateType: "order", aggregateId: saga.orderId, command, idempotencyKey: key("order") }));
  const eachProduct = (command: (productId: string, quantity: number) => DomainCommand) =>
    Promise.all(saga.items.map((item) => ports.send({ aggregateType: "product", aggregateId: item.productId, command: command(item.productId, item.quantity), idempotencyKey: key(item.productId) })));
  const request = { key: key("provider"), attempt, orderId: saga.orderId, userId: saga.userId, signal };
  const id = saga.orderId;

  switch (step) {
    case "reserve_inventory":
      await eachProduct((productId, quantity) => ({ type: "reserveStock", data: { id: productId, orderId: id, quantity } }));
      await order({ type: "recordInventoryReserved", data: { id } });
      return {};
    case "process_payment": {
      const { paymentId } = await call(ports, "payment", () => ports.payment.charge({ ...request, amount: saga.totalAmount }));
      await order({ type: "recordPaymentProcessed", data: { id, paymentId, amount: saga.totalAmount } });
      return { paymentId };
    }
    case "arrange_shipping": {
      const items = saga.items.map(({ productId, quantity }) => ({ productId, quantity }));
      const { trackingNumber } = await call(ports, "shipping", () => ports.shipping.arrange({ ...request, items }));
      await order({ type: "recordShipment", data: { id, trackingNumber } });
      return { trackingNumber };
    }
    case "confirm_order":
      // Confirm first: a confirmed order can no longer be cancelled, so the units
      // committed next never belong to a cancelled order.
      await order({ type: "confirmOrder", data: { id } }, ["ORDER_ALREADY_CONFIRMED"]);
      await eachProduct((productId) => ({ type: "commitStock", data: { id: productId, orderId: id } }));
      return {};
    case "release_inventory":
      await markCompensating(saga, ports);
      await eachProduct((productId) => ({ type: "releaseStock", data: { id: productId, orderId: id } }));
      return {};
    case "refund_payment":
      await markCompensating(saga, ports);
      await call(ports, "payment", () => ports.payment.refund({ ...request, paymentId: saga.result.paymentId ?? null, amount: saga.totalAmount }));
      return {};
    case "cancel_shipping":
      await markCompensating(saga, ports);
      await call(ports, "shipping", () => ports.shipping.cancel({ ...request, trackingNumber: saga.result.trackingNumber ?? null }));
      return {};
    case "cancel_order": {
      await markCompensating(saga, ports);
      const reason = saga.failure ? `${saga.failure.step} failed: ${saga.failure.code}` : null;
      await order({ type: "cancelOrder", data: { id, reason } }, ["ORDER_ALREADY_CANCELLED"]);
      return {};
    }
  }
}

/** Tells the order its saga is undoing it, so no forward step can land on it any more. */
async function markCompensating(saga: ActiveOrderSaga, ports: StepPorts): Promise<void> {
  const failure = saga.failure ?? { step: "reserve_inventory", code: "UNKNOWN", message: "compensation" };
  await tolerate(
    // Already cancelled by its user, or already marked: nothing left to say.
    ["ORDER_ALREADY_CANCELLED", "INVALID_ORDER_STATE"],
    ports.send({
      aggregateType: "order",
      aggregateId: saga.orderId,
      command: { type: "startCompensation", data: { id: saga.orderId, reason: `${failure.code}: ${failure.message}`.slice(0, 500), failedStep: failure.step } },
      idempotencyKey: `saga:${saga.sagaId}:compensation_started:order`,
    }),
  );
}

function call<T>(ports: StepPorts, provider: "payment" | "shipping", work: () => Promise<T>): Promise<T> {
  return ports.breakers[provider].run(ports.now(), work, (error) => error instanceof ServiceError && error.retryable);
}

/** The command's refusal with one of these codes means its effect is already there. */
async function tolerate(codes: string[], sent: Promise<void>): Promise<void> {
  try {
    await sent;
  } catch (error) {
    if (error instanceof DomainError && codes.includes(error.code)) return;
    throw error;
  }
}

function asStepFailure(error: unknown): StepFailure {
  if (error instanceof ServiceError) return new StepFailure({ code: error.code, message: error.message }, error.retryable);
  if (error instanceof DomainError) return new StepFailure({ code: error.code, message: error.message }, error.code === "UNAVAILABLE");
  // Anything unexpected (a bug, a lost Durable Object) may pass: try again.
  const message = error instanceof Error ? error.message : String(error);
  return new StepFailure({ code: "INTERNAL", message: message.slice(0, 500) }, true);
}

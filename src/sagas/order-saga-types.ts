// The order saga's vocabulary: its steps and their policies, the events in its
// own stream (the seed's names where it has them), its state and its inputs.
import type { DomainEvent } from "../domain/shared/decider.ts";
import { v5 as uuidv5 } from "uuid";
import type { StepPolicy } from "./step-policy.ts";

export const SAGA_TYPE = "order_saga";

export const FORWARD_STEPS = ["reserve_inventory", "process_payment", "arrange_shipping", "confirm_order"] as const;
export type ForwardStep = (typeof FORWARD_STEPS)[number];

/** What undoes each step (the seed's ReleaseStock, RefundPayment, CancelShipping, CancelOrder). */
export const COMPENSATION_OF = {
  reserve_inventory: "release_inventory",
  process_payment: "refund_payment",
  arrange_shipping: "cancel_shipping",
  confirm_order: "cancel_order",
} as const satisfies Record<ForwardStep, string>;
export type CompensationStep = (typeof COMPENSATION_OF)[ForwardStep];
export type SagaStep = ForwardStep | CompensationStep;

export type SagaStatus = "started" | "compensating" | "completed" | "failed" | "compensated";
export const ACTIVE_STATUSES: readonly SagaStatus[] = ["started", "compensating"];

/** The original system's policies; a compensation runs under its step's policy. */
export const DEFAULT_STEP_POLICIES: Record<ForwardStep, StepPolicy> = {
  reserve_inventory: { timeoutMs: 30_000, retries: 3, backoff: "exponential", retryDelayMs: 1_000 },
  process_payment: { timeoutMs: 60_000, retries: 2, backoff: "exponential", retryDelayMs: 1_000 },
  arrange_shipping: { timeoutMs: 45_000, retries: 3, backoff: "linear", retryDelayMs: 1_000 },
  confirm_order: { timeoutMs: 10_000, retries: 5, backoff: "constant", retryDelayMs: 1_000 },
};

/** Errors that no retry can fix: the step fails at once and compensation starts. */
export const NEVER_RETRIED = new Set([
  "INSUFFICIENT_STOCK",
  "PRODUCT_NOT_FOUND",
  "INSUFFICIENT_FUNDS",
  "INVALID_PAYMENT_METHOD",
  "FRAUD_DETECTED",
  "INVALID_ADDRESS",
  "RESTRICTED_AREA",
]);

export const STEP_TIMEOUT = "STEP_TIMEOUT";
export const ORDER_CANCELLED_BY_USER = "ORDER_CANCELLED";

/** The seed's event names where it has them: `<success>` and `<failure>` per step. */
export const STEP_EVENTS = {
  reserve_inventory: { succeeded: "inventory.reserved", failed: "inventory.failed" },
  process_payment: { succeeded: "payment.processed", failed: "payment.failed" },
  arrange_shipping: { succeeded: "shipping.arranged", failed: "shipping.failed" },
  confirm_order: { succeeded: "order_saga.order_confirmed", failed: "order_saga.confirmation_failed" },
  release_inventory: { succeeded: "inventory.released", failed: "inventory.release_failed" },
  refund_payment: { succeeded: "payment.refunded", failed: "payment.refund_failed" },
  cancel_shipping: { succeeded: "shipping.cancelled", failed: "shipping.cancel_failed" },
  cancel_order: { succeeded: "order_saga.order_cancelled", failed: "order_saga.order_cancel_failed" },
} as const satisfies Record<SagaStep, { succeeded: string; failed: string }>;

type SucceededType = (typeof STEP_EVENTS)[SagaStep]["succeeded"];
type FailedType = (typeof STEP_EVENTS)[SagaStep]["failed"];

export interface SagaOrderItem {
  productId: string;
  quantity: number;
}

export interface SagaOrder {
  orderId: string;
  userId: string;
  items: SagaOrderItem[];
  /** Minor units. */
  totalAmount: number;
}

/** What a step produced that later steps or compensations need. */
export interface StepResult {
  paymentId?: string;
  trackingNumber?: string;
}

export interface SagaError {
  code: string;
  message: string;
}

export type OrderSagaEvent =
  | DomainEvent<"order_saga.started", SagaOrder & { sagaId: string; at: number }>
  | DomainEvent<"order_saga.step_started", { step: SagaStep; attempt: number; at: number; deadline: number }>
  | DomainEvent<SucceededType, { step: SagaStep; attempt: number; at: number; result: StepResult }>
  | DomainEvent<FailedType, { step: SagaStep; attempt: number; at: number; error: SagaError; retryAt: number | null }>
  | DomainEvent<"order_saga.cancel_requested", { at: number; reason: string | null }>
  | DomainEvent<"order_saga.compensation_started", { at: number; failedStep: ForwardStep; error: SagaError; compensations: CompensationStep[] }>
  | DomainEvent<"order_saga.completed", { at: number }>
  | DomainEvent<"order_saga.compensated", { at: number }>
  | DomainEvent<"order_saga.failed", { at: number; step: CompensationStep; error: SagaError }>;

/** One try of one step, as the saga's timeline shows it. */
export interface StepAttempt {
  step: SagaStep;
  attempt: number;
  startedAt: number;
  finishedAt: number | null;
  outcome: "running" | "succeeded" | "failed" | "timed_out";
  error: SagaError | null;
}

export type OrderSagaState =
  | { status: "absent" }
  | (SagaOrder & {
      status: SagaStatus;
      sagaId: string;
      /** The step running or waiting to retry; null once the saga ended. */
      currentStep: SagaStep | null;
      attempt: number;
      /** running: waiting for the attempt's outcome until `deadline`; waiting: until `retryAt`. */
      phase: "running" | "waiting" | "idle";
      deadline: number | null;
      retryAt: number | null;
      /** Forward steps begun, in order: each is undone by compensation. */
      startedSteps: ForwardStep[];
      compensations: CompensationStep[];
      result: StepResult;
      cancelRequested: { reason: string | null } | null;
      /** Why compensation started. */
      failure: (SagaError & { step: ForwardStep }) | null;
      /** Why the saga failed: a compensation that kept failing. */
      compensationFailure: (SagaError & { step: CompensationStep }) | null;
      history: StepAttempt[];
    });

export type ActiveOrderSaga = Exclude<OrderSagaState, { status: "absent" }>;

export type SagaInput =
  | { type: "start"; sagaId: string; order: SagaOrder }
  | { type: "step_succeeded"; step: SagaStep; attempt: number; result?: StepResult }
  | { type: "step_failed"; step: SagaStep; attempt: number; error: SagaError; retryable: boolean }
  | { type: "cancel_requested"; reason: string | null }
  /** A timer fired: a deadline or a retry time may have passed. */
  | { type: "due" };

export const initialSagaState = (): OrderSagaState => ({ status: "absent" });

export function isForwardStep(step: SagaStep): step is ForwardStep {
  return (FORWARD_STEPS as readonly string[]).includes(step);
}

export function policyOf(policies: Record<ForwardStep, StepPolicy>, step: SagaStep): StepPolicy {
  if (isForwardStep(step)) return policies[step];
  const forward = FORWARD_STEPS.find((s) => COMPENSATION_OF[s] === step)!;
  return policies[forward];
}

/** Namespace of saga ids: one saga per order, whoever starts it and however often. */
const SAGA_ID_NAMESPACE = "b3f1e2d4-6a7c-5e8f-9b0a-1c2d3e4f5a6b";

export function sagaIdFor(orderId: string): string {
  return uuidv5(orderId, SAGA_ID_NAMESPACE);
}

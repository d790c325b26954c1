// The sagas topic's messages (saga stream events, in the Event shape) as the
// SagaUpdate type: the saga query's vocabulary, read from one event.
import type { MessagePayload } from "../../subscriptions/message-cache.ts";

/** The status an event leaves the saga in, for the events that change it. */
const STATUS_AFTER: Readonly<Record<string, string>> = {
  "order_saga.started": "started",
  "order_saga.compensation_started": "compensating",
  "order_saga.completed": "completed",
  "order_saga.compensated": "compensated",
  "order_saga.failed": "failed",
};

type SagaEventData = {
  step?: string;
  failedStep?: string;
  attempt?: number;
  orderId?: string;
  error?: { code: string; message: string } | null;
};

export function toSagaUpdate(event: MessagePayload) {
  const eventType = String(event["eventType"]);
  const data = (event["eventData"] ?? {}) as SagaEventData;
  const step = data.step ?? data.failedStep ?? null;
  return {
    position: event["position"],
    sagaId: event["aggregateId"],
    sagaType: event["aggregateType"],
    eventType,
    status: STATUS_AFTER[eventType] ?? null,
    step,
    attempt: data.attempt ?? null,
    failure: data.error ? { step: step ?? "", code: data.error.code, message: data.error.message } : null,
    orderId: data.orderId ?? null,
    occurredAt: event["occurredAt"],
    eventData: event["eventData"],
  };
}

// Sagas as operators follow them: the event_store.sagas row, kept current with
// each saga's stream, with every step attempt of its timeline.
import { ValidationError } from "../../domain/shared/errors.ts";
import { SAGA_TYPE, sagaIdFor, type SagaStatus } from "../../sagas/order-saga-types.ts";
import { nextDueAt } from "../../sagas/order-saga.ts";
import { listSagas, sagaById, type SagaRow } from "../../sagas/saga-queries.ts";
import { idArgument, page } from "../arguments.ts";
import type { GraphQLContext } from "../context.ts";

export const sagaTypeDefs = /* GraphQL */ `
  "One try of one saga step."
  type SagaStepAttempt {
    "reserve_inventory, process_payment, arrange_shipping, confirm_order, or a compensation: release_inventory, refund_payment, cancel_shipping, cancel_order."
    step: String!
    attempt: Int!
    startedAt: String!
    finishedAt: String
    "running | succeeded | failed | timed_out"
    outcome: String!
    errorCode: String
    error: String
  }

  type SagaFailure {
    step: String!
    code: String!
    message: String!
  }

  type Saga {
    id: ID!
    sagaType: String!
    "started | compensating | completed | failed | compensated"
    status: String!
    currentStep: String
    orderId: ID!
    "When the running attempt times out, or when a failed one is tried again."
    dueAt: String
    "Every attempt of every step, in order."
    steps: [SagaStepAttempt!]!
    "Why compensation started."
    failure: SagaFailure
    "Why the saga failed: a compensation that kept failing (an operator's case)."
    compensationFailure: SagaFailure
    paymentId: String
    trackingNumber: String
    version: Int!
    createdAt: String!
    updatedAt: String!
  }

  extend type Order {
    "The saga that takes this order to confirmed or cancelled (null until it started)."
    saga: Saga
  }

  extend type Query {
    "Sagas, newest first; status: started, compensating, completed, failed or compensated."
    sagas(status: String, sagaType: String, limit: Int = 20, offset: Int = 0): [Saga!]!
    saga(id: ID!): Saga
  }
`;

const STATUSES: readonly SagaStatus[] = ["started", "compensating", "completed", "failed", "compensated"];

function toSaga(row: SagaRow) {
  const { state } = row;
  const due = nextDueAt(state);
  return {
    id: row.saga_id,
    sagaType: row.saga_type,
    status: row.status,
    currentStep: row.current_step,
    orderId: state.orderId,
    dueAt: due === null ? null : new Date(due).toISOString(),
    steps: state.history.map((h) => ({
      step: h.step,
      attempt: h.attempt,
      startedAt: new Date(h.startedAt).toISOString(),
      finishedAt: h.finishedAt === null ? null : new Date(h.finishedAt).toISOString(),
      outcome: h.outcome,
      errorCode: h.error?.code ?? null,
      error: h.error?.message ?? null,
    })),
    failure: state.failure,
    compensationFailure: state.compensationFailure,
    paymentId: state.result.paymentId ?? null,
    trackingNumber: state.result.trackingNumber ?? null,
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function findSaga(context: GraphQLContext, id: string) {
  const row = await sagaById(await context.db.get(), id);
  return row ? toSaga(row) : null;
}

export const sagaResolvers = {
  Query: {
    sagas: async (_: unknown, args: { status?: string | null; sagaType?: string | null; limit?: number; offset?: number }, context: GraphQLContext) => {
      const { limit, offset } = page(args);
      if (args.status && !STATUSES.includes(args.status as SagaStatus)) {
        throw new ValidationError(`status must be one of ${STATUSES.join(", ")}`, { field: "status" });
      }
      if (args.sagaType && args.sagaType !== SAGA_TYPE) throw new ValidationError(`sagaType must be ${SAGA_TYPE}`, { field: "sagaType" });
      const rows = await listSagas(await context.db.get(), {
        status: (args.status ?? undefined) as SagaStatus | undefined,
        sagaType: args.sagaType ?? undefined,
        limit,
        offset,
      });
      return rows.map(toSaga);
    },
    saga: (_: unknown, args: { id: string }, context: GraphQLContext) => findSaga(context, idArgument(args.id)),
  },
  Order: {
    saga: (order: { id: string }, _: unknown, context: GraphQLContext) => findSaga(context, sagaIdFor(order.id)),
  },
};

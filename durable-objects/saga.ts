import { DurableObject } from "cloudflare:workers";
import { sendCommand } from "../src/commands/command-bus.ts";
import { IdleConnection } from "../src/db/idle-connection.ts";
import { databaseSettings } from "../src/db/worker-connection.ts";
import { ConsumerWaker, DEFAULT_WAKER_OPTIONS } from "../src/consumers/wake.ts";
import type { OrderSagaState, SagaOrder } from "../src/sagas/order-saga-types.ts";
import { OrderSagaRunner } from "../src/sagas/saga-runner.ts";
import { providerBreakers, sagaSettings } from "../src/sagas/saga-settings.ts";
import { SimulatedPaymentService, SimulatedShippingService } from "../src/sagas/simulated-services.ts";
import { errorFields } from "../src/telemetry/log.ts";

/** One per order saga ("<saga id>"): runs it, with its due times in its one alarm. */
export class SagaDO extends DurableObject<Env> {
  #connection = new IdleConnection(() => databaseSettings(this.env));
  // A saga commits a few times in its life: nothing to gain from holding wake-ups back,
  // and a pending timer delays the object's eviction (the test pool's evictDurableObject
  // waited one out: test/workers/order-saga.test.ts failed with laterMs 1 s).
  #waker = new ConsumerWaker(this.env.PROJECTOR, { ...DEFAULT_WAKER_OPTIONS, laterMs: 0 });
  #runner: OrderSagaRunner | undefined;

  /** Starts the saga for an order; a second start of the same saga changes nothing. */
  async start(sagaId: string, order: SagaOrder, correlationId?: string): Promise<OrderSagaState> {
    if (correlationId) await this.ctx.storage.put("correlationId", correlationId);
    return (await this.#runnerFor(sagaId)).handle({ type: "start", sagaId, order });
  }

  /** The order's user cancelled it: stop at the next step and undo what was done. */
  async cancel(sagaId: string, reason: string | null): Promise<OrderSagaState> {
    return (await this.#runnerFor(sagaId)).handle({ type: "cancel_requested", reason });
  }

  override async alarm(): Promise<void> {
    const sagaId = await this.ctx.storage.get<string>("sagaId");
    if (!sagaId) return;
    const runner = await this.#runnerFor(sagaId);
    // Thrown on, so the platform retries the alarm.
    await runner.wake().catch((error: unknown) => {
      runner.log("error", "saga alarm failed", errorFields(error));
      throw error;
    });
  }

  async #runnerFor(sagaId: string): Promise<OrderSagaRunner> {
    if (this.#runner) return this.#runner;
    // The alarm needs to know whose saga this is after an eviction.
    await this.ctx.storage.put("sagaId", sagaId);
    const settings = sagaSettings(this.env);
    // The saga's commands carry the order's correlation id, so one request's whole story can be followed.
    const correlationId = (await this.ctx.storage.get<string>("correlationId")) ?? sagaId;
    this.#runner = new OrderSagaRunner(sagaId, correlationId, {
      db: () => this.#connection.get(),
      policies: settings.policies,
      send: async ({ aggregateType, aggregateId, command, idempotencyKey }) => {
        await sendCommand(this.env.AGGREGATE, { aggregateType, aggregateId }, command, { idempotencyKey, correlationId, causationId: sagaId, actor: "order_saga" });
      },
      payment: new SimulatedPaymentService(settings.services),
      shipping: new SimulatedShippingService(settings.services),
      breakers: providerBreakers(settings.breaker),
      now: () => Date.now(),
      setAlarm: (at) => (at === null ? this.ctx.storage.deleteAlarm() : this.ctx.storage.setAlarm(at)),
      onCommit: (_position, eventTypes) => this.ctx.waitUntil(this.#waker.wake(eventTypes)),
      waitUntil: (work) => this.ctx.waitUntil(work),
      release: () => this.#connection.close(),
    });
    return this.#runner;
  }
}

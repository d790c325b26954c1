import { env } from "cloudflare:workers";
import { afterAll, afterEach, expect, it, vi } from "vitest";
import { appendToStream } from "../../src/event-store/index.ts";
import { sagaIdFor } from "../../src/sagas/order-saga-types.ts";
import { gql, gqlData, gqlWith, withDb } from "../workers/support.ts";
import { caughtUp, projectionStatus, waitForStatus } from "./support.ts";

// Failures in the background say so in the same JSON lines as the GraphQL
// operations (src/telemetry/log.ts): which consumer or saga, where in the log,
// the error's code and message, and the correlation id of the request that
// wrote the event, so an operator can go from the alert to the request.

/** Captures console.warn and console.error; returns the JSON lines seen so far. */
function captureLogLines(): () => Array<Record<string, unknown>> {
  const lines: string[] = [];
  const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
  vi.spyOn(console, "warn").mockImplementation(capture);
  vi.spyOn(console, "error").mockImplementation(capture);
  return () => lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  // Never leave the shared categories projection stuck for other files.
  const status = await projectionStatus("categories");
  if (status.status === "failed") {
    await gql(`mutation($seq: String!) { skipEvent(input: { projection: "categories", globalSequence: $seq }) { status } }`, { seq: status.failedSequence });
  }
});

it("logs each failing try of an event, then the stop, as JSON lines with consumer, position, code, message and correlation id", async () => {
  await waitForStatus("categories", caughtUp);
  const logLines = captureLogLines();

  // A category.created without a name: the read model's NOT NULL refuses it, a real failure of the real projection.
  const poisonId = crypto.randomUUID();
  const correlationId = `poison-${crypto.randomUUID()}`;
  const poison = await withDb((db) =>
    appendToStream(db, "category", poisonId, [{ type: "category.created", data: { id: poisonId, name: null }, metadata: { correlationId } }]),
  );
  await env.PROJECTOR.getByName("categories").wake("categories");
  const failed = await waitForStatus("categories", (s) => s.status === "failed");
  expect(failed.failedSequence).toBe(String(poison.globalSequences[0]));

  const logged = logLines().filter((entry) => entry.consumer === "categories" && entry.globalSequence === poison.globalSequences[0]);
  const expected = {
    consumer: "categories",
    position: poison.position,
    eventType: "category.created",
    aggregateId: poisonId,
    correlationId,
    code: "23502", // Postgres' not_null_violation
    attempts: 3,
  };
  expect(logged).toEqual([
    expect.objectContaining({ ...expected, level: "warn", message: "consumer failed on an event; trying it again", attempt: 1 }),
    expect.objectContaining({ ...expected, level: "warn", attempt: 2 }),
    expect.objectContaining({ ...expected, level: "error", message: "consumer stopped at an event it cannot handle", attempt: 3 }),
  ]);
  expect(logged[2]!.error).toMatch(/null value|not-null/i);
  expect(Date.parse(String(logged[2]!.time))).not.toBeNaN();
});

it("logs a saga step's failure once recorded, with the saga, its position, the code and the order's correlation id", async () => {
  const logLines = captureLogLines();
  const { createCategory } = await gqlData(`mutation { createCategory(input: { name: "Logged saga" }) { id } }`);
  const { createProduct } = await gqlData(`mutation($c: ID!) { createProduct(input: { name: "Logged saga", categoryId: $c, price: "2.00", stockQuantity: 5 }) { id } }`, {
    c: createCategory.id,
  });
  const correlationId = `declined-${crypto.randomUUID()}`;
  const placed = await gqlWith(
    {},
    `mutation($p: ID!) { createOrder(input: { userId: "logged#charge=INSUFFICIENT_FUNDS", items: [{ productId: $p, quantity: 1 }] }) { order { id } } }`,
    { variables: { p: createProduct.id }, headers: { "x-correlation-id": correlationId } },
  );
  const sagaId = sagaIdFor(placed.data!.createOrder.order.id);
  const deadline = Date.now() + 30_000;
  let line: Record<string, unknown> | undefined;
  while (!(line = logLines().find((entry) => entry.sagaId === sagaId && entry.message === "saga payment.failed")) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(line).toMatchObject({ level: "warn", step: "process_payment", attempt: 1, code: "INSUFFICIENT_FUNDS", correlationId });
  expect(line!.position).toMatch(/^\d+-\d+$/);
  // The compensation it starts says what it undoes, without logging the same failure twice.
  const compensation = logLines().find((entry) => entry.sagaId === sagaId && entry.message === "saga order_saga.compensation_started");
  expect(compensation).toMatchObject({ level: "warn", step: "process_payment", compensations: "refund_payment,release_inventory,cancel_order", position: line!.position });
  expect(compensation).not.toHaveProperty("code");
});

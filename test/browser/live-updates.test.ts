// The dashboard's live views that only a WebSocket feeds, in a real browser
// against the real stack: the pub/sub page's live pubsubStream table, the
// sagas page's live sagaUpdates table, and an events page that comes back
// after more than the broadcasters keep (CURSOR_TOO_OLD) and still shows every
// event once. The stack keeps 20 messages per shard, so that needs 20 writes,
// not 1000.
import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sagaIdFor } from "../../src/sagas/order-saga-types.ts";
import { ARTIFACTS, openWorld, socketSwitch, type BrowserWorld } from "./harness.ts";

const CACHE_SIZE = 20;
let world: BrowserWorld;

beforeAll(async () => {
  world = await openWorld("test/browser/live-updates.test.ts", {}, {
    BROADCASTER_CACHE_SIZE: String(CACHE_SIZE),
    // Providers that answer at once and never fail by themselves: every order's saga completes.
    SAGA_SERVICE_FAILURE_RATE: "0",
    SAGA_SERVICE_LATENCY_MS: "0",
  });
});

afterAll(async () => {
  await world?.close();
});

async function open(path: string): Promise<Page> {
  const page = await world.page();
  await page.goto(`${world.origin}/#/${path}`);
  await page.locator('[role=status][data-state="live"]').waitFor({ timeout: 15_000 });
  return page;
}

/** A mutation from the test, with the position of its last event (`extensions.position`). */
async function mutate<T>(query: string, variables: Record<string, unknown> = {}): Promise<{ data: T; position: string }> {
  const response = await fetch(world.stack.urls.graphql, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data: T; errors?: unknown[]; extensions: { position: string } };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return { data: body.data, position: body.extensions.position };
}

async function createCategory(label: string): Promise<{ id: string; position: string }> {
  const { data, position } = await mutate<{ createCategory: { id: string } }>("mutation C($name: String!) { createCategory(input: { name: $name }) { id } }", { name: `${label} ${Date.now()}` });
  return { id: data.createCategory.id, position };
}

function rowsOf(page: Page, table: string): Locator {
  return page.getByRole("table", { name: table }).locator("tbody tr");
}

describe("the pub/sub page", () => {
  it("shows the chosen topic's messages live as they are published, and only that topic's", async () => {
    const page = await open("pubsub");
    const live = () => rowsOf(page, "Live messages");
    const category = await createCategory("pubsub");
    // An events-topic message's id is the event's log position.
    await live().filter({ hasText: category.position }).waitFor({ timeout: 15_000 });
    expect(await live().filter({ hasText: category.position }).count()).toBe(1);

    await page.getByRole("combobox", { name: "Topic" }).selectOption("commands");
    await page.getByText("Waiting for messages…").waitFor();
    const renamed = await mutate("mutation U($id: ID!) { updateCategory(input: { id: $id, name: \"renamed on the commands topic\" }) { id } }", { id: category.id });
    await live().filter({ hasText: "updateCategory" }).first().waitFor({ timeout: 15_000 });
    const sources = await page.getByRole("table", { name: "Live messages" }).locator("tbody tr td:nth-child(3)").allInnerTexts();
    expect(new Set(sources)).toEqual(new Set(["command-bus"]));
    expect(await live().filter({ hasText: renamed.position }).count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "pubsub-live.png"), fullPage: true });
    await page.context().close();
  });
});

describe("the sagas page", () => {
  it("shows an order's saga updates live, step by step to completed, and opens its timeline", async () => {
    const page = await open("sagas");
    await page.getByText("Waiting for saga updates…").waitFor();
    const category = await createCategory("saga updates");
    const product = await mutate<{ createProduct: { id: string } }>(
      "mutation P($c: ID!) { createProduct(input: { name: \"Saga lamp\", categoryId: $c, price: \"3.00\", stockQuantity: 5 }) { id } }",
      { c: category.id },
    );
    const order = await mutate<{ createOrder: { order: { id: string } } }>(
      "mutation O($p: ID!) { createOrder(input: { userId: \"browser-saga\", items: [{ productId: $p, quantity: 1 }] }) { order { id } } }",
      { p: product.data.createProduct.id },
    );
    const sagaId = sagaIdFor(order.data.createOrder.order.id);
    const sagaRows = rowsOf(page, "Live saga updates").filter({ hasText: sagaId });
    await sagaRows.filter({ hasText: "order_saga.completed" }).waitFor({ timeout: 30_000 });
    // Newest first: the saga's whole stream, as the log has it, each event once and in order.
    const { events } = await world.graphql<{ events: Array<{ position: string; eventType: string }> }>(
      "query S($id: ID!) { events(aggregateId: $id, limit: 100) { position eventType } }",
      { id: sagaId },
    );
    const shown = await sagaRows.evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll("td")].map((cell) => cell.textContent)));
    expect(shown.reverse().map(([position, , eventType]) => ({ position, eventType }))).toEqual(events);
    expect(events.map((e) => e.eventType)).toEqual(expect.arrayContaining(["order_saga.started", "inventory.reserved", "payment.processed", "shipping.arranged", "order_saga.completed"]));
    // The list above refreshes on each update (its poll is 30 s while sagaUpdates runs): it ends showing the saga completed.
    await page.getByRole("table", { name: "Sagas", exact: true }).locator("tbody tr", { hasText: sagaId }).filter({ hasText: "completed" }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, "sagas-live.png"), fullPage: true });

    await sagaRows.filter({ hasText: "order_saga.completed" }).click();
    await page.waitForURL(new RegExp(`#/sagas/${sagaId}$`));
    await page.getByTestId("saga-status").filter({ hasText: "completed" }).waitFor();
    await page.context().close();
  });
});

describe("the events page", () => {
  it(`comes back after more than the ${CACHE_SIZE} messages the broadcasters keep: CURSOR_TOO_OLD, then every event once from the log, then live again and the notice gone`, async () => {
    const page = await world.page();
    const network = await socketSwitch(page);
    await page.goto(`${world.origin}/#/events`);
    await page.locator('[role=status][data-state="live"]').waitFor({ timeout: 15_000 });
    const first = await createCategory("before the gap");
    await page.locator("tbody tr", { hasText: first.id }).waitFor({ timeout: 15_000 });

    await network.down();
    await page.locator('[role=status][data-state="offline"]').waitFor({ timeout: 10_000 });
    // More events than a shard keeps messages (each write also adds a commands-topic message).
    const missed: string[] = [];
    for (let i = 0; i < CACHE_SIZE + 5; i++) missed.push((await createCategory(`during the gap ${i}`)).id);

    network.up();
    await page.locator('[role=status][data-state="live"]').waitFor({ timeout: 20_000 });
    await page.getByText(/CURSOR_TOO_OLD/).waitFor({ timeout: 15_000 });
    const after = await createCategory("after the gap");
    for (const id of [first.id, ...missed, after.id]) {
      await page.locator("tbody tr", { hasText: id }).first().waitFor({ timeout: 15_000 });
    }
    for (const id of [first.id, ...missed, after.id]) {
      expect(await page.locator("tbody tr", { hasText: id }).count(), id).toBe(1);
    }
    await page.screenshot({ path: join(ARTIFACTS, "events-cursor-too-old.png"), fullPage: true });
    // Recovered: the notice goes by itself (it stayed for good before).
    await page.getByText(/CURSOR_TOO_OLD/).waitFor({ state: "detached", timeout: 15_000 });
    await page.context().close();
  });
});

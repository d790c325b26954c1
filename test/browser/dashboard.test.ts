// The dashboard and GraphiQL in a real browser against the real local stack:
// offline GraphiQL, driving the shop from the page while the events stream
// in, the counters moving, a dropped connection resumed without a gap, the
// admin buttons, and a screenshot of every page (test/browser/artifacts/).
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, cutOffInternet, openWorld, socketSwitch, type BrowserWorld } from "./harness.ts";

let world: BrowserWorld;

beforeAll(async () => {
  world = await openWorld("test/browser/dashboard.test.ts");
});

afterAll(async () => {
  await world?.close();
});

async function open(path: string, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await world.page(viewport);
  await page.goto(`${world.origin}/#/${path}`);
  await page.locator('[role=status][data-state="live"]').waitFor({ timeout: 15_000 });
  return page;
}

async function totalEvents(page: Page): Promise<number> {
  const text = await page.getByTestId("total-events").innerText();
  return Number(text.replace(/,/g, ""));
}

describe("GraphiQL", () => {
  it("renders its editor and runs a query with every request to another origin refused", async () => {
    const page = await world.page();
    const tried = await cutOffInternet(page, world.origin);
    await page.goto(`${world.origin}/graphql`);
    const editor = page.locator(".graphiql-query-editor .monaco-editor");
    await editor.waitFor({ timeout: 30_000 });
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText("{ health { status } }");
    await page.locator(".graphiql-execute-button").click();
    const response = async () => (await page.locator(".graphiql-response").innerText()).replace(/\s+/g, " ");
    await expect.poll(response, { timeout: 15_000 }).toContain('"status": "ok"');
    await page.screenshot({ path: join(ARTIFACTS, "graphiql.png") });
    expect(tried).toEqual([]);
    await page.context().close();
  });
});

describe("the dashboard", () => {
  it("creates a category, a product and an order from the shop page; the events arrive live, the saga ends, the counters move", async () => {
    const events = await open("events");
    const overview = await open("overview");
    await overview.getByTestId("total-events").filter({ hasText: /^\d/ }).waitFor();
    const before = await totalEvents(overview);

    const shop = await open("shop");
    const category = `Browser category ${Date.now()}`;
    await shop.getByLabel("Name").first().fill(category);
    await shop.getByRole("button", { name: "Create category" }).click();
    await shop.getByRole("combobox", { name: "Category" }).locator("option", { hasText: category }).waitFor({ state: "attached" });
    const product = `Browser product ${Date.now()}`;
    const productForm = shop.getByRole("region", { name: "2. Product" });
    await productForm.getByLabel("Name").fill(product);
    await productForm.getByLabel("Category").selectOption({ label: category });
    await productForm.getByLabel("Price").fill("12.50");
    await productForm.getByLabel("Stock").fill("5");
    await productForm.getByRole("button", { name: "Create product" }).click();
    const orderForm = shop.getByRole("region", { name: "3. Order" });
    const productOption = orderForm.getByLabel("Product").locator("option", { hasText: product });
    await productOption.waitFor({ state: "attached" });
    await orderForm.getByLabel("Product").selectOption((await productOption.getAttribute("value"))!);
    await orderForm.getByLabel("Quantity").fill("2");
    await orderForm.getByRole("button", { name: "Place order" }).click();

    await shop.waitForURL(/#\/shop\/[0-9a-f-]{36}$/);
    const orderId = shop.url().split("/").pop()!;
    const sagaStatus = shop.locator('[data-testid="order-saga-status"][data-terminal="true"]');
    await sagaStatus.waitFor({ timeout: 60_000 });
    expect(["completed", "compensated"]).toContain(await sagaStatus.innerText());
    await shop.getByText("total 25.00").waitFor(); // 2 x 12.50: what was typed is what was ordered
    await shop.getByTestId("saga-status").filter({ hasText: /completed|compensated/ }).waitFor();
    await shop.screenshot({ path: join(ARTIFACTS, "shop-order.png"), fullPage: true });

    // The events page, open all along, received the order's events over the WebSocket.
    const orderRows = events.locator("tbody tr", { hasText: orderId });
    await orderRows.filter({ hasText: "order.created" }).waitFor({ timeout: 15_000 });
    await orderRows.filter({ hasText: /order\.(confirmed|cancelled)/ }).waitFor({ timeout: 15_000 });
    await events.locator("tbody tr", { hasText: "category.created" }).first().click();
    await events.getByRole("region", { name: /category\.created/ }).getByText("Correlation id").waitFor();
    await events.screenshot({ path: join(ARTIFACTS, "events-detail.png"), fullPage: true });

    // At least the category, the product and the order's events.
    await expect.poll(() => totalEvents(overview), { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 4);
    for (const page of [events, overview, shop]) await page.context().close();
  });

  it("shows when the connection drops, and resumes from the last event it saw: nothing missed, nothing twice", async () => {
    const page = await world.page();
    const network = await socketSwitch(page);
    await page.goto(`${world.origin}/#/events`);
    const badge = page.locator("[role=status][data-state]");
    await page.locator('[role=status][data-state="live"]').waitFor({ timeout: 15_000 });
    const first = await createCategories(1, "before");
    await page.locator("tbody tr", { hasText: first[0] }).waitFor();

    await network.down();
    await page.locator('[role=status][data-state="offline"]').waitFor({ timeout: 10_000 });
    expect(await badge.innerText()).toMatch(/offline/i);
    await page.screenshot({ path: join(ARTIFACTS, "offline.png") });
    const missed = await createCategories(5, "while offline");

    network.up();
    await page.locator('[role=status][data-state="live"]').waitFor({ timeout: 20_000 });
    const after = await createCategories(1, "after");
    for (const id of [...first, ...missed, ...after]) {
      await page.locator("tbody tr", { hasText: id }).first().waitFor({ timeout: 15_000 });
    }
    for (const id of [...first, ...missed, ...after]) {
      expect(await page.locator("tbody tr", { hasText: id }).count(), id).toBe(1);
    }
    await page.context().close();
  });

  it("filters the live events by aggregate type and event type", async () => {
    const page = await open("events");
    await page.getByLabel("Aggregate type").selectOption("category");
    await page.getByLabel("Event type").fill("category.created");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("Waiting for events…").waitFor();
    const [id] = await createCategories(1, "filtered");
    await world.graphql("mutation U($id: ID!) { updateCategory(input: { id: $id, name: \"renamed\" }) { id } }", { id });
    const later = await createCategories(1, "filtered later");
    await page.locator("tbody tr", { hasText: later[0] }).waitFor();
    const types = await page.locator("tbody tr td:nth-child(2)").allInnerTexts();
    expect(types).toEqual(["category.created", "category.created"]);
    await page.context().close();
  });

  it("shows the live dashboardStatsStream counters and the command log", async () => {
    const overview = await open("overview");
    const commands = overview.getByTestId("live-commandsExecuted");
    await commands.filter({ hasText: /^\d/ }).waitFor({ timeout: 15_000 });
    const before = Number((await commands.innerText()).replace(/,/g, ""));
    await createCategories(1, "counted");
    await expect.poll(async () => Number((await commands.innerText()).replace(/,/g, "")), { timeout: 15_000 }).toBeGreaterThan(before);

    await overview.goto(`${world.origin}/#/executions`);
    await overview.getByRole("region", { name: "Recent commands" }).locator("tbody tr", { hasText: "createCategory" }).first().waitFor({ timeout: 15_000 });
    await overview.context().close();
  });

  it("stops and resumes a projection with the admin buttons", async () => {
    const page = await open("projections");
    const row = page.getByRole("listitem").filter({ hasText: /^categories/ });
    await row.getByRole("button", { name: "Stop" }).click();
    await page.getByText("stopProjection: categories is").waitFor();
    await row.getByRole("button", { name: "Resume" }).click({ timeout: 10_000 });
    await page.getByText(/resumeProjection: categories is (running|catching_up)/).waitFor();
    await page.context().close();
  });

  it("has a labelled control for every field, and a screenshot of every page on a laptop and a phone", async () => {
    const pages = ["overview", "events", "executions", "sagas", "pubsub", "projections", "health", "shop"];
    for (const [size, viewport] of [
      ["laptop", { width: 1280, height: 900 }],
      ["phone", { width: 390, height: 844 }],
    ] as const) {
      const page = await open("overview", viewport);
      for (const path of pages) {
        await page.goto(`${world.origin}/#/${path}`);
        await page.locator("main h1").waitFor();
        await page.waitForLoadState("networkidle").catch(() => undefined);
        await page.waitForTimeout(300);
        const unlabelled = await page.evaluate(() =>
          [...document.querySelectorAll("input, select, button")]
            .filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute("aria-label") && !e.textContent?.trim())
            .map((e) => e.outerHTML),
        );
        expect(unlabelled, `${path}: controls without a label`).toEqual([]);
        // Nothing but tables and the page list (which scroll by themselves) is wider than the screen.
        const tooWide = await page.evaluate(() =>
          [...document.querySelectorAll("body *")].filter((e) => !e.closest(".table-scroll, nav") && e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => `${e.tagName}.${e.className}`),
        );
        expect(tooWide, `${size} ${path}: wider than the screen`).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${size} ${path}: page width`).toBeLessThanOrEqual(viewport.width);
        await page.screenshot({ path: join(ARTIFACTS, `${size}-${path}.png`), fullPage: true });
      }
      await page.context().close();
    }
  });
});

async function createCategories(count: number, label: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { createCategory } = await world.graphql<{ createCategory: { id: string } }>("mutation C($name: String!) { createCategory(input: { name: $name }) { id } }", { name: `${label} ${i} ${Date.now()}` });
    ids.push(createCategory.id);
  }
  return ids;
}

// The dashboard against a stack in token mode: admin buttons are refused
// without the admin token and work with it, typed once into the Token field
// and kept for the tab (sessionStorage) across a reload.
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ARTIFACTS, openWorld, type BrowserWorld } from "./harness.ts";

const ADMIN_TOKEN = "browser-admin-token";
let world: BrowserWorld;

beforeAll(async () => {
  world = await openWorld("test/browser/token-mode.test.ts", { AUTH_MODE: "token", API_TOKEN: "browser-api-token", ADMIN_TOKEN });
});

afterAll(async () => {
  await world?.close();
});

it("sends the admin token from the Token field with the projection buttons, and keeps it for the tab", async () => {
  const page = await world.page();
  await page.goto(`${world.origin}/#/projections`);
  await page.locator('[role=status][data-state="live"]').waitFor({ timeout: 15_000 });
  const row = page.getByRole("listitem").filter({ hasText: /^products/ });

  await row.getByRole("button", { name: "Stop" }).click();
  await page.getByText(/stopProjection refused: (UNAUTHENTICATED|FORBIDDEN)/).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, "token-refused.png") });

  await page.getByLabel("Token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Use" }).click();
  await page.reload();
  expect(await page.getByLabel("Token").inputValue()).toBe(ADMIN_TOKEN);
  await page.locator('[role=status][data-state="live"]').waitFor({ timeout: 15_000 });
  await row.getByRole("button", { name: "Stop" }).click();
  await page.getByText("stopProjection: products is stopped").waitFor();
  await row.getByRole("button", { name: "Resume" }).click({ timeout: 10_000 });
  await page.getByText(/resumeProjection: products is (running|catching_up)/).waitFor();
  await page.context().close();
});

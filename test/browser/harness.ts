// The browser tests' world: the real local stack (`npm start`'s startStack,
// on free ports, data in a temporary EDGE_DATA_DIR) and Debian's Chromium
// driven by playwright-core (`npx playwright install` cannot work here).
// One of each per test file.
import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page, type WebSocketRoute } from "playwright-core";
import { findFreePort } from "../../scripts/lib/ports.ts";
import { startStack, type LocalStack } from "../../scripts/lib/stack.ts";

export const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface BrowserWorld {
  stack: LocalStack;
  origin: string;
  browser: Browser;
  /** A new page at a laptop's size; pages not closed by the test are closed by `close`. */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  /** A GraphQL request from the test itself (not from the page). */
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/**
 * `auth`: AUTH_MODE, API_TOKEN, ADMIN_TOKEN for the stack, as `npm start` takes them from its environment;
 * `vars`: more Worker vars (e.g. a small BROADCASTER_CACHE_SIZE).
 */
export async function openWorld(name: string, auth: Record<string, string> = {}, vars: Record<string, string> = {}): Promise<BrowserWorld> {
  const dataDir = await mkdtemp(join(tmpdir(), "edge-cqrs-browser-"));
  await chmod(dataDir, 0o755); // as root, Postgres runs as the postgres user
  await mkdir(ARTIFACTS, { recursive: true });
  const saved = { ...process.env };
  Object.assign(process.env, auth);
  const stack = await startOnFreePorts(dataDir, name, vars).finally(() => {
    for (const key of Object.keys(auth)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });
  const port = new URL(stack.urls.graphql).port;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    stack,
    origin,
    browser,
    async page(viewport = { width: 1280, height: 900 }) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      page.on("pageerror", (error) => console.error(`page error at ${page.url()}: ${error.message}`));
      return page;
    },
    async graphql<T>(query: string, variables: Record<string, unknown> = {}) {
      const response = await fetch(stack.urls.graphql, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data?: T; errors?: unknown[] };
      if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data as T;
    },
    async close() {
      try {
        await browser.close();
        await stack.stop();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A port found free can be taken by another process before wrangler binds it
 * (other stacks start on this machine too): then once more, on other ports.
 */
async function startOnFreePorts(dataDir: string, name: string, vars: Record<string, string>): Promise<LocalStack> {
  for (let attempt = 1; ; attempt++) {
    const [port, pgPort] = await Promise.all([findFreePort(), findFreePort()]);
    try {
      return await startStack({ dataDir, port, pgPort, echo: false, log: () => undefined, command: name, vars });
    } catch (error) {
      if (attempt >= 2 || !/already in use/i.test(String(error))) throw error;
    }
  }
}

/** Every request to another origin fails, as on a machine without internet; returns what was tried. */
export async function cutOffInternet(page: Page, origin: string): Promise<string[]> {
  const tried: string[] = [];
  await page.context().route(
    (url) => url.origin !== origin && url.protocol !== "data:" && url.protocol !== "blob:",
    (route) => {
      tried.push(route.request().url());
      return route.abort("internetdisconnected");
    },
  );
  return tried;
}

/**
 * The page's GraphQL socket behind a switch: `down()` closes every open socket
 * as a dropped network would (1001) and refuses new ones until `up()`.
 */
export async function socketSwitch(page: Page): Promise<{ down(): Promise<void>; up(): void }> {
  let cut = false;
  const sockets: Array<{ page: WebSocketRoute; server: WebSocketRoute }> = [];
  await page.routeWebSocket(/\/graphql$/, (socket) => {
    if (cut) return socket.close({ code: 1001, reason: "network down" });
    sockets.push({ page: socket, server: socket.connectToServer() });
  });
  return {
    async down() {
      cut = true;
      for (const socket of sockets.splice(0)) {
        await socket.server.close();
        await socket.page.close({ code: 1001, reason: "network down" });
      }
    },
    up() {
      cut = false;
    },
  };
}

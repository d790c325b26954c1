// The Worker and its Durable Objects in workerd (the Workers test pool),
// reaching the test Postgres (started by test/support/global-setup.ts) through
// the WebSocket proxy. The Workers tests and the hot-aggregate bench's driver
// run on it, each with bindings of its own on top.
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";

export const workersRuntime = (bindings: Record<string, string> = {}) =>
  cloudflareTest(({ inject }) => ({
    wrangler: { configPath: "./wrangler.toml" },
    miniflare: {
      bindings: {
        DATABASE_URL: inject("databaseUrl"),
        DB_PROXY: inject("databaseProxy"),
        // wrangler.toml deploys in token mode; test/workers/access.test.ts covers it.
        AUTH_MODE: "open",
        // Every test file is one client here; test/workers/rate-limit.test.ts turns it on.
        RATE_LIMIT: "off",
        ...bindings,
      },
    },
  }));

import { defineConfig } from "vitest/config";
import { DATABASE_LANES } from "./test/support/global-setup.ts";
import { workersRuntimeInLanes } from "./test/support/workers-runtime.ts";

// Each Workers test file starts a fresh workerd that loads every module the
// Worker imports; pre-bundled, the big dependencies are a few modules instead
// of hundreds (a file's first test took 4-17 s of warming up without it;
// docs/BENCHMARKS.md, "The test suite's time").
const prebundled = {
  optimizer: {
    ssr: {
      enabled: true,
      include: [
        "graphql",
        "graphql-yoga",
        "graphql-ws",
        "graphql-query-complexity",
        "@escape.tech/graphql-armor-cost-limit",
        "@escape.tech/graphql-armor-max-aliases",
        "@escape.tech/graphql-armor-max-depth",
        "hono",
        "drizzle-orm",
        "dataloader",
        "uuid",
      ],
    },
  },
};

// Sagas in tenths of their real times, and providers that fail only when told to;
// one page on another origin may call the API (test/workers/http-hygiene.test.ts).
const workersTestRuntime = () =>
  workersRuntimeInLanes({
    SAGA_TIME_SCALE: "0.1",
    SAGA_SERVICE_FAILURE_RATE: "0",
    SAGA_SERVICE_LATENCY_MS: "0",
    CORS_ORIGINS: "https://shop.example",
  });

export default defineConfig({
  test: {
    // Every GraphQL operation logs a JSON line: show them for failing tests only.
    silent: "passed-only",
    // Stacks started side by side must not both take wrangler's devtools port 9229.
    env: { INSPECTOR_PORT: "0" },
    globalSetup: ["./test/support/global-setup.ts"],
    projects: [
      {
        test: {
          name: "node",
          include: ["test/domain/**/*.test.ts", "test/db/**/*.test.ts", "test/event-store/**/*.test.ts", "test/bench/**/*.test.ts"],
          testTimeout: 30_000,
          // The event store tests hold transactions open on purpose, which
          // holds back every log consumer: run them before the Worker tests.
          sequence: { groupOrder: 0 },
        },
      },
      {
        plugins: [workersTestRuntime()],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          deps: prebundled,
          testTimeout: 30_000,
          // Two files at a time, each on a Postgres server of its own (its lane):
          // one file leaves most of the 2 cores idle while its workerd warms up.
          maxWorkers: DATABASE_LANES,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Tests that break or rebuild shared read models (poison events, crashes,
        // table swaps) run after the others, alone on their Postgres server (lane).
        plugins: [workersTestRuntime()],
        test: {
          name: "workers-serial",
          include: ["test/workers-serial/**/*.test.ts"],
          deps: prebundled,
          testTimeout: 120_000,
          maxWorkers: DATABASE_LANES,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          // Each file starts stacks of its own (free ports, own data directories)
          // and mostly waits on them: two files at a time.
          maxWorkers: 2,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          sequence: { groupOrder: 3 },
        },
      },
      {
        // The dashboard in Chromium against the real stack (test/browser/harness.ts), last.
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          testTimeout: 120_000,
          // Each file starts a stack and a Chromium of its own: two files at a time.
          maxWorkers: 2,
          hookTimeout: 180_000,
          sequence: { groupOrder: 4 },
        },
      },
    ],
  },
});

// The hot-aggregate bench's driver runs inside workerd, next to the real
// AggregateDO (the Workers test pool, as the Workers tests do), so nothing
// but the Durable Object and Postgres sits between a command and its answer.
// scripts/bench/hot-aggregate.ts runs it with the bench's Postgres in
// DATABASE_URL and the trial's shape in HOT_AGGREGATE_* variables.
import { defineConfig } from "vitest/config";
import { workersRuntime } from "../../../test/support/workers-runtime.ts";

const setting = (name: string, fallback: string) => process.env[name] ?? fallback;

export default defineConfig({
  plugins: [
    workersRuntime({
      HOT_AGGREGATE_CLIENTS: setting("HOT_AGGREGATE_CLIENTS", "8"),
      HOT_AGGREGATE_WARMUP_MS: setting("HOT_AGGREGATE_WARMUP_MS", "1000"),
      HOT_AGGREGATE_DURATION_MS: setting("HOT_AGGREGATE_DURATION_MS", "3000"),
    }),
  ],
  test: {
    name: "hot-aggregate",
    include: ["scripts/bench/hot-aggregate/drive.bench-run.ts"],
    globalSetup: ["./test/support/global-setup.ts"],
    testTimeout: 300_000,
  },
});

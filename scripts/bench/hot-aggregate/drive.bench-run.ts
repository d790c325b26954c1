// The old way to run the trials (kept to show its bias, docs/BENCHMARKS.md):
// inside the Workers test pool, whose Durable Object wrapper imports the
// Worker's module through vite's module runner on EVERY call, and each import
// asks the Node process over the pool's WebSocket whether the module changed.
// Prints one line, `HOT_AGGREGATE {...}` per trial, that scripts/bench/hot-aggregate.ts reads.
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { hotAggregateTrial } from "./trial.ts";

const settings = env as unknown as Record<"HOT_AGGREGATE_CLIENTS" | "HOT_AGGREGATE_WARMUP_MS" | "HOT_AGGREGATE_DURATION_MS", string>;

it("drives one hot aggregate", async () => {
  const warmupMs = Number(settings.HOT_AGGREGATE_WARMUP_MS);
  const durationMs = Number(settings.HOT_AGGREGATE_DURATION_MS);
  for (const clients of settings.HOT_AGGREGATE_CLIENTS.split(",").map(Number)) {
    console.log(`HOT_AGGREGATE ${JSON.stringify(await hotAggregateTrial(env.AGGREGATE, { clients, warmupMs, durationMs }))}`);
  }
});

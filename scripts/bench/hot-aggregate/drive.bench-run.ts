// Runs inside workerd (see vitest.config.ts beside it): closed-loop clients
// send `updateCategory` straight to ONE category's AggregateDO by RPC, as the
// GraphQL resolvers do, and the answers are timed here. Prints one line,
// `HOT_AGGREGATE {...}` per trial, that scripts/bench/hot-aggregate.ts reads.
import { env } from "cloudflare:workers";
import { it } from "vitest";
import { v7 as uuidv7 } from "uuid";
import { sendCommand } from "../../../src/commands/command-bus.ts";

const settings = env as unknown as Record<"HOT_AGGREGATE_CLIENTS" | "HOT_AGGREGATE_WARMUP_MS" | "HOT_AGGREGATE_DURATION_MS", string>;

it("drives one hot aggregate", async () => {
  const warmupMs = Number(settings.HOT_AGGREGATE_WARMUP_MS);
  const durationMs = Number(settings.HOT_AGGREGATE_DURATION_MS);
  // One trial per client count, each on a category of its own.
  for (const clients of settings.HOT_AGGREGATE_CLIENTS.split(",").map(Number)) {
    console.log(`HOT_AGGREGATE ${JSON.stringify(await trial(clients, warmupMs, durationMs))}`);
  }
});

async function trial(clients: number, warmupMs: number, durationMs: number) {
  const target = { aggregateType: "category", aggregateId: uuidv7() };
  const update = (name: string) => sendCommand(env.AGGREGATE, target, { type: "updateCategory", data: { id: target.aggregateId, name } });
  await sendCommand(env.AGGREGATE, target, { type: "createCategory", data: { id: target.aggregateId, name: "Hot shelf" } });

  // Date.now() in workerd moves with I/O only, which is all a command is.
  const windowStart = Date.now() + warmupMs;
  const windowEnd = windowStart + durationMs;
  const latencies: number[] = [];
  let errors = 0;
  let lastAnswer = windowEnd;
  const client = async (index: number) => {
    for (let i = 0; ; i++) {
      const sent = Date.now();
      if (sent >= windowEnd) return;
      try {
        // Each command changes the name, so each appends one event.
        await update(`Hot shelf ${index}-${i}`);
        if (sent >= windowStart) latencies.push(Date.now() - sent);
      } catch {
        if (sent >= windowStart) errors++;
      }
      if (sent >= windowStart) lastAnswer = Math.max(lastAnswer, Date.now());
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, index) => client(index)));
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { aggregateId: target.aggregateId, clients, windowMs: lastAnswer - windowStart, commands: latencies.length, p50: percentile(50), p99: percentile(99), errors };
}

// One trial of the hot-aggregate bench, run inside workerd: closed-loop
// clients send `updateCategory` straight to ONE category's AggregateDO by
// RPC, as the GraphQL resolvers do, and the answers are timed here.
import { v7 as uuidv7 } from "uuid";
import { sendCommand } from "../../../src/commands/command-bus.ts";

export interface TrialSettings {
  clients: number;
  warmupMs: number;
  durationMs: number;
}

/** What a trial reports (scripts/bench/hot-aggregate.ts reads it). */
export interface AggregateTrial {
  aggregateId: string;
  clients: number;
  windowMs: number;
  commands: number;
  /** Commands answered in the whole trial, warm-up included (the CPU per command divides by it). */
  answered: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Each trial on a category of its own. */
export async function hotAggregateTrial(aggregates: Env["AGGREGATE"], { clients, warmupMs, durationMs }: TrialSettings): Promise<AggregateTrial> {
  const target = { aggregateType: "category", aggregateId: uuidv7() };
  const update = (name: string) => sendCommand(aggregates, target, { type: "updateCategory", data: { id: target.aggregateId, name } });
  await sendCommand(aggregates, target, { type: "createCategory", data: { id: target.aggregateId, name: "Hot shelf" } });

  // Date.now() in workerd moves with I/O only, which is all a command is.
  const windowStart = Date.now() + warmupMs;
  const windowEnd = windowStart + durationMs;
  const latencies: number[] = [];
  let errors = 0;
  let answered = 0;
  let lastAnswer = windowEnd;
  const client = async (index: number) => {
    for (let i = 0; ; i++) {
      const sent = Date.now();
      if (sent >= windowEnd) return;
      try {
        // Each command changes the name, so each appends one event.
        await update(`Hot shelf ${index}-${i}`);
        answered++;
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
  return { aggregateId: target.aggregateId, clients, windowMs: lastAnswer - windowStart, commands: latencies.length, answered, p50: percentile(50), p99: percentile(99), errors };
}

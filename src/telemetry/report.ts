import { broadcasterSettings, shardNames } from "../subscriptions/settings.ts";
import type { ExecutionReport } from "./execution.ts";
import { logLine } from "./log.ts";

/** Sends reports to every broadcaster shard (each keeps its own execution log); a failure is logged, never thrown. */
export async function reportExecutions(env: Pick<Env, "BROADCASTER" | "BROADCASTER_SHARDS">, reports: ExecutionReport[]): Promise<void> {
  const shards = shardNames(broadcasterSettings(env));
  const results = await Promise.allSettled(shards.map((name) => env.BROADCASTER.getByName(name).record(reports)));
  const failed = results.filter((result) => result.status === "rejected").length;
  if (failed > 0) logLine("warn", "execution report lost", { shards: failed });
}

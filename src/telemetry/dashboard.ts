import type { PubSubMessage, TopicStats } from "../subscriptions/message-cache.ts";
import { TOPICS } from "../subscriptions/publisher.ts";
import type { DashboardCounts } from "./execution-log.ts";

/** dashboardStats and each dashboardStatsStream message: the seed's five figures plus rates. */
export type DashboardStats = DashboardCounts & { eventsPublished: number; eventsPerSecond: number };

export function dashboardStats(counts: DashboardCounts, topics: readonly TopicStats[]): DashboardStats {
  const events = topics.find((topic) => topic.topic === TOPICS.events);
  return { ...counts, eventsPublished: events?.messageCount ?? 0, eventsPerSecond: events?.messagesPerSecond ?? 0 };
}

/** The seed's five figures: a push goes out only when one of them changed. */
function figures(stats: DashboardStats): string {
  return JSON.stringify([stats.commandsExecuted, stats.queriesExecuted, stats.eventsPublished, stats.sagasActive, stats.errors]);
}

/**
 * Pushes dashboardStatsStream on change, at most once per interval: changes
 * within an interval are folded into one push, so a busy shard costs each
 * socket a few messages a second, not one per operation.
 */
export class DashboardPush {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastSent = "";

  constructor(
    private readonly intervalMs: number,
    private readonly current: () => DashboardStats,
    private readonly deliver: (message: PubSubMessage) => Promise<void>,
  ) {}

  changed(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const stats = this.current();
      if (figures(stats) === this.#lastSent) return;
      this.#lastSent = figures(stats);
      const at = new Date().toISOString();
      void this.deliver({ id: `${Date.now()}-0`, topic: TOPICS.dashboard, payload: stats, timestamp: at, source: "broadcaster" }).catch(() => undefined);
    }, this.intervalMs);
  }
}

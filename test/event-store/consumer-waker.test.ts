// Which consumers a commit wakes, and when: those of its event types at once,
// the others at most once per laterMs, for every commit in between. The directory
// here stands in for the ProjectorDO namespace and records each wake-up RPC;
// test/workers-serial/consumer-wake.test.ts checks the same through workerd.
import { describe, expect, it } from "vitest";
import { ConsumerWaker, DEFAULT_WAKER_OPTIONS, type ConsumerDirectory, type WakerOptions } from "../../src/consumers/wake.ts";
import { CONSUMER_EVENT_TYPES, CONSUMER_NAMES, CONSUMER_WAKE_TYPES, consumerNamed } from "../../src/consumers/registry.ts";
import { STATS_CONSUMER } from "../../src/stats/event-counts.ts";
import { BROADCAST_PUBLISHER } from "../../src/subscriptions/publisher.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Records wake-ups; each takes `passMs`, as a consumer's pass would. Like a
 * ProjectorDO, each consumer relays the wake-ups its own carried, through a
 * waker of its own.
 */
function recordingDirectory(passMs = 0, options?: WakerOptions): ConsumerDirectory & { woken: string[] } {
  const woken: string[] = [];
  const relays = new Map<string, ConsumerWaker>();
  const directory: ConsumerDirectory & { woken: string[] } = {
    woken,
    getByName: (name) => ({
      wake: async (_name: string, relay: readonly string[] = []) => {
        if (!relays.has(name)) relays.set(name, new ConsumerWaker(directory, options ?? { laterMs: 300, consumers }));
        relays.get(name)!.relay(relay);
        woken.push(name);
        await sleep(passMs);
      },
    }),
  };
  return directory;
}

const consumers = new Map<string, readonly string[] | "all">([
  ["categories", ["category.created", "category.updated"]],
  ["orders", ["order.created"]],
  ["publisher", "all"],
]);

describe("ConsumerWaker", () => {
  it("wakes the consumers of the commit's event types at once, and the others at most once per laterMs", async () => {
    const directory = recordingDirectory(0, { laterMs: 300, consumers });
    const waker = new ConsumerWaker(directory, { laterMs: 300, consumers });
    await waker.wake(["category.updated"]);
    expect(directory.woken.sort()).toEqual(["categories", "orders", "publisher"]);
    directory.woken.length = 0;
    await waker.wake(["category.updated"]);
    await sleep(100);
    expect(directory.woken.sort()).toEqual(["categories", "publisher"]);
    await sleep(300);
    expect(directory.woken.sort()).toEqual(["categories", "orders", "publisher"]);
  });

  it("gives a consumer no commit concerns one wake-up for all the commits of its wait", async () => {
    const directory = recordingDirectory(0, { laterMs: 200, consumers });
    const waker = new ConsumerWaker(directory, { laterMs: 200, consumers });
    await waker.wake(["category.updated"]);
    directory.woken.length = 0;
    const commits: Promise<void>[] = [];
    for (let i = 0; i < 5; i++) {
      commits.push(waker.wake(["category.updated"]));
      await sleep(20);
    }
    await Promise.all(commits);
    await sleep(250);
    expect(directory.woken.filter((name) => name === "orders")).toHaveLength(1);
    expect(directory.woken.filter((name) => name === "categories")).toHaveLength(5);
  });

  it("asks a consumer whose wake-up is in flight for one more pass, not one per commit", async () => {
    const directory = recordingDirectory(50, { laterMs: 10_000, consumers: new Map([["orders", ["order.created"]]]) });
    const waker = new ConsumerWaker(directory, { laterMs: 10_000, consumers: new Map([["orders", ["order.created"]]]) });
    const first = waker.wake(["order.created"]);
    await sleep(10);
    const more = Array.from({ length: 5 }, () => waker.wake(["order.created"]));
    await Promise.all([first, ...more]);
    expect(directory.woken.filter((name) => name === "orders")).toHaveLength(2);
  });

  it("wakes a consumer no commit concerns at most once per laterMs however many aggregates commit: the wake-ups sent at once relay it", async () => {
    const options = { laterMs: 300, consumers };
    const directory = recordingDirectory(0, options);
    const aggregates = Array.from({ length: 4 }, () => new ConsumerWaker(directory, options));
    const commits: Promise<void>[] = [];
    for (let round = 0; round < 20; round++) {
      for (const waker of aggregates) commits.push(waker.wake(["category.updated"]));
      await sleep(25);
    }
    await Promise.all(commits);
    await sleep(350);
    // 500 ms of commits, then the last held-back one: at once, at 300 ms, at 600 ms; per aggregate it would be 4 times that.
    expect(directory.woken.filter((name) => name === "orders").length).toBeLessThanOrEqual(3);
    expect(directory.woken.filter((name) => name === "categories")).toHaveLength(80);
  });

  it("knows every consumer's event types as the consumer itself declares them, and wakes each at once for those, stats for none", () => {
    const env = { SAGA: undefined, BROADCASTER: undefined, BROADCASTER_SHARDS: undefined } as unknown as Env;
    expect(DEFAULT_WAKER_OPTIONS.consumers).toBe(CONSUMER_WAKE_TYPES);
    for (const name of CONSUMER_NAMES) {
      expect([name, CONSUMER_EVENT_TYPES.get(name)]).toEqual([name, consumerNamed(name, env)?.eventTypes]);
      expect([name, CONSUMER_WAKE_TYPES.get(name)]).toEqual([name, name === STATS_CONSUMER ? [] : CONSUMER_EVENT_TYPES.get(name)]);
    }
  });

  it("never wakes the stats read model at once after a write: no client waits on the counts", async () => {
    const directory = recordingDirectory(0, { ...DEFAULT_WAKER_OPTIONS, laterMs: 300 });
    const waker = new ConsumerWaker(directory, { ...DEFAULT_WAKER_OPTIONS, laterMs: 300 });
    await waker.wake(["category.updated"]); // the first commit of a Durable Object wakes everyone
    directory.woken.length = 0;
    await waker.wake(["category.updated"]);
    expect(directory.woken.sort()).toEqual([BROADCAST_PUBLISHER, "categories"].sort());
    await sleep(400);
    expect(directory.woken).toContain(STATS_CONSUMER);
  });
});

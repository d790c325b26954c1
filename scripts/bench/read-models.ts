// `npm run bench -- --read-models`: the rest of the suite, at library level on
// the benchmark's own fresh Postgres (pg over TCP, like the append trials):
// - projection lag: appends at a steady rate, every commit wakes the three
//   read-model consumers, each driven as its ProjectorDO drives it (wake-ups
//   coalesced, `runUntilCaughtUp` with the known position, lag window and
//   wake-ups kept across passes), and each event's time from its append's
//   commit to the commit of the categories projection batch that applied it;
// - rebuild: the categories projection rebuilt from 100k events (fresh
//   table, batches, swap), in events/s against raw100 at 1 writer, same round;
// - cold load: a category stream of 1k and 10k events folded from scratch,
//   and from a snapshot 5 versions before its end (the tail a snapshot every
//   10 versions leaves at most 9 of), on one warm connection, the two kinds
//   and a `SELECT 1` round trip (the floor) taking turns; the median of 21
//   of each per round.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { categoryWriteModel } from "../../src/commands/category-write-model.ts";
import type { Consumer, KnownPosition } from "../../src/consumers/consumer.ts";
import { LagWindow } from "../../src/consumers/lag.ts";
import { WakeUps, runUntilCaughtUp } from "../../src/consumers/runner.ts";
import { upcastDomainEvent } from "../../src/domain/upcasters.ts";
import { aggregateStream, appendToStream, readStream, saveSnapshot, type LoadedEvent, type Queryable, type StoredEvent } from "../../src/event-store/index.ts";
import { projectionConsumer } from "../../src/projections/projection.ts";
import { PROJECTIONS } from "../../src/projections/registry.ts";
import { finishRebuild, startRebuild } from "../../src/projections/rebuild.ts";
import { rawHundredRows } from "./raw.ts";
import { median } from "./figures.ts";
import { measure, type Timing } from "./runner.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const { decider } = categoryWriteModel;

export interface ReadModelOptions {
  url: string;
  rounds: number;
  timing: Timing;
  /** Appends per second in the lag trials. */
  lagRates: number[];
  rebuildEvents: number;
  coldLoadSizes: number[];
}

export interface ReadModelResults {
  lag: { rate: number; achieved: number[]; p50: number[]; p99: number[]; roundTrips: number[] }[];
  rebuild: { events: number; eventsPerSecond: number[]; raw100: number[] };
  /** `loads`: loads of each kind behind one round's median. */
  coldLoad: { events: number; loads: number; withoutMs: number[]; withMs: number[]; roundTripMs: number[] }[];
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

export async function runReadModelBench(options: ReadModelOptions): Promise<ReadModelResults> {
  const results: ReadModelResults = {
    lag: options.lagRates.map((rate) => ({ rate, achieved: [], p50: [], p99: [], roundTrips: [] })),
    rebuild: { events: options.rebuildEvents, eventsPerSecond: [], raw100: [] },
    coldLoad: options.coldLoadSizes.map((events) => ({ events, loads: COLD_LOADS, withoutMs: [], withMs: [], roundTripMs: [] })),
  };
  const db = await connect(options.url);
  try {
    const streams = await Promise.all(options.coldLoadSizes.map((size) => categoryStream(db, size)));
    await seedRebuildLog(db, options.rebuildEvents);
    for (let round = 0; round < options.rounds; round++) {
      for (const row of results.lag) {
        const trial = await lagTrial(options.url, row.rate, options.timing);
        row.achieved.push(trial.achieved);
        row.p50.push(trial.p50);
        row.p99.push(trial.p99);
        row.roundTrips.push(trial.roundTripsPerAppend);
        console.error(
          `round ${round + 1}/${options.rounds}  lag at ${row.rate}/s: achieved ${trial.achieved.toFixed(0)}/s, p50 ${trial.p50.toFixed(1)} ms, p99 ${trial.p99.toFixed(1)} ms, ` +
            `consumer round trips/append ${trial.roundTripsPerAppend.toFixed(1)}`,
        );
      }
      results.rebuild.raw100.push((await measure(rawHundredRows, options.url, 1, options.timing)).eventsPerSecond);
      results.rebuild.eventsPerSecond.push(await rebuildTrial(options.url));
      console.error(`round ${round + 1}/${options.rounds}  rebuild ${results.rebuild.eventsPerSecond.at(-1)!.toFixed(0)} events/s, raw100 ${results.rebuild.raw100.at(-1)!.toFixed(0)} rows/s`);
      for (const [i, row] of results.coldLoad.entries()) {
        const medians = await coldLoads(db, streams[i]!);
        row.withoutMs.push(medians.withoutMs);
        row.withMs.push(medians.withMs);
        row.roundTripMs.push(medians.roundTripMs);
        console.error(
          `round ${round + 1}/${options.rounds}  cold load ${row.events}: ${medians.withoutMs.toFixed(2)} ms without, ${medians.withMs.toFixed(2)} ms with a snapshot, ` +
            `${medians.roundTripMs.toFixed(3)} ms a SELECT 1 round trip`,
        );
      }
    }
  } finally {
    await db.end();
  }
  return results;
}

// ---- projection lag

/** A query that ends a consumer's batch: COMMIT alone, or last in a query of several statements. */
const COMMITS = /(^|;\s*)COMMIT\s*$/;

async function lagTrial(url: string, rate: number, timing: Timing): Promise<{ achieved: number; p50: number; p99: number; roundTripsPerAppend: number }> {
  const writers = await Promise.all(Array.from({ length: 8 }, () => connect(url)));
  const consumers = await Promise.all(PROJECTIONS.map(async (projection) => ({ projection, db: await connect(url) })));
  // Round trips the consumers make per append: the write amplification, as a number.
  let measuredRoundTrips = 0;
  const onCommit = new Map<pg.Client, () => void>();
  for (const { db } of consumers) {
    const query = db.query.bind(db) as (...args: unknown[]) => Promise<unknown>;
    (db as { query: unknown }).query = (...args: unknown[]) => {
      if (measuring) measuredRoundTrips += 1;
      const result = query(...args);
      // The apply's statements and COMMIT go as one query (src/consumers/batch-statements.ts).
      return typeof args[0] === "string" && COMMITS.test(args[0]) ? result.then((r) => (onCommit.get(db)?.(), r)) : result;
    };
  }
  const committedAt = new Map<string, number>();
  const lags: number[] = [];
  let measuring = false;
  try {
    // Lag is what a caught-up read model sees: start every consumer at the head, not behind the rebuild's log.
    await writers[0]!.query(
      `INSERT INTO query.checkpoints (consumer, transaction_id, global_sequence)
       SELECT name, head.transaction_id, head.global_sequence FROM unnest($1::text[]) AS name,
         (SELECT transaction_id, global_sequence FROM event_store.events ORDER BY transaction_id DESC, global_sequence DESC LIMIT 1) AS head
       ON CONFLICT (consumer) DO UPDATE SET transaction_id = excluded.transaction_id, global_sequence = excluded.global_sequence`,
      [PROJECTIONS.map((p) => p.name)],
    );
    const categories = await Promise.all(writers.map(async (writer) => {
      const id = randomUUID();
      const created = await appendToStream(writer, decider.aggregateType, id, [{ type: "category.created", data: { id, name: "lag", description: null, parentId: null } }]);
      return { id, version: created.nextExpectedVersion };
    }));
    const wakers = consumers.map(({ projection, db }) => {
      const consumer = projectionConsumer(projection);
      const applied: StoredEvent[] = [];
      const watched: Consumer = { ...consumer, apply: async (tx, events) => void (await consumer.apply(tx, events), applied.push(...events)) };
      // The batch has committed: every event it applied is in the query table now.
      onCommit.set(db, () => {
        const now = performance.now();
        for (const event of applied.splice(0)) {
          const at = committedAt.get(`${event.streamId}:${event.version}`);
          if (at !== undefined && measuring && projection.name === "categories") lags.push(now - at);
        }
      });
      // What the ProjectorDO keeps across wake-ups, and the runner it calls.
      const known: KnownPosition = {};
      const lag = new LagWindow();
      const wakeUps = new WakeUps();
      return coalescingWaker(wakeUps, () => runUntilCaughtUp(async () => db, watched, { known, lag, wakeUps }).then(() => undefined));
    });

    // A steady rate: append i is due at start + i / rate, on the next free writer.
    const free = [...writers.keys()];
    const start = performance.now();
    const measureFrom = start + timing.warmupMs;
    const end = measureFrom + timing.durationMs;
    let sent = 0;
    let measuredAppends = 0;
    const inFlight = new Set<Promise<void>>();
    while (performance.now() < end) {
      const due = start + (sent * 1000) / rate;
      if (performance.now() < due) await sleep(Math.max(0, due - performance.now()));
      while (free.length === 0) await Promise.race(inFlight);
      const w = free.pop()!;
      const category = categories[w]!;
      const version = category.version;
      category.version += 1;
      sent += 1;
      measuring = performance.now() >= measureFrom;
      const append = appendToStream(writers[w]!, decider.aggregateType, category.id, [{ type: "category.updated", data: { id: category.id, name: `lag ${version}` } }], {
        expectedVersion: version,
      }).then(() => {
        committedAt.set(`${category.id}:${version + 1}`, performance.now());
        if (performance.now() >= measureFrom) measuredAppends += 1;
        for (const waker of wakers) waker.wake();
        free.push(w);
      });
      const tracked = append.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    await Promise.all(inFlight);
    await sleep(200);
    // Their connections close next: let the passes under way finish first.
    await Promise.all(wakers.map((waker) => waker.settled()));
    const sorted = lags.sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
    return { achieved: (measuredAppends / timing.durationMs) * 1000, p50: at(0.5), p99: at(0.99), roundTripsPerAppend: measuredRoundTrips / Math.max(1, measuredAppends) };
  } finally {
    await Promise.all([...writers, ...consumers.map((c) => c.db)].map((client) => client.end()));
  }
}

/** One pass at a time; a wake-up during a pass asks for one more pass, not one per wake-up (as the ProjectorDO runs). */
function coalescingWaker(wakeUps: WakeUps, pass: () => Promise<void>): { wake(): void; settled(): Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  return {
    wake() {
      again = true;
      wakeUps.wake();
      running ??= (async () => {
        while (again) {
          again = false;
          await pass();
        }
      })().finally(() => (running = undefined));
    },
    settled: () => running ?? Promise.resolve(),
  };
}

// ---- rebuild

/** Categories of 10 events each (created, then 9 updates), written in one statement: the log a rebuild replays. */
export async function seedRebuildLog(db: Queryable, events: number): Promise<void> {
  await db.query(
    `INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, metadata, event_version, schema_version)
     SELECT c.id, 'category', CASE WHEN v = 1 THEN 'category.created' ELSE 'category.updated' END,
            CASE WHEN v = 1 THEN jsonb_build_object('id', c.id, 'name', 'c' || c.n, 'description', NULL, 'parentId', NULL)
                 ELSE jsonb_build_object('id', c.id, 'name', 'c' || c.n || ' v' || v) END,
            '{}'::jsonb, v, 1
     FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $1::integer / 10) AS n) AS c, generate_series(1, 10) AS v
     ORDER BY c.n, v`,
    [events],
  );
  await db.query("VACUUM ANALYZE event_store.events");
}

/** Events the rebuild replays per second: start (fresh table) to swapped in. */
async function rebuildTrial(url: string): Promise<number> {
  const db = await connect(url);
  try {
    const categories = PROJECTIONS.find((p) => p.name === "categories")!;
    const started = performance.now();
    await startRebuild(db, categories);
    const replayed = await finishRebuild(async () => db, categories);
    return (replayed / (performance.now() - started)) * 1000;
  } finally {
    await db.end();
  }
}

// ---- cold load

export interface LoadableStream {
  id: string;
  events: number;
}

/** A category stream of `events` events, appended 1,000 at a time, with a snapshot 5 versions before its end. */
export async function categoryStream(db: Queryable, events: number): Promise<LoadableStream> {
  const id = randomUUID();
  let version = 0;
  while (version < events) {
    const batch = Array.from({ length: Math.min(1000, events - version) }, (_, i) =>
      version + i === 0 ? { type: "category.created", data: { id, name: "cold", description: null, parentId: null } } : { type: "category.updated", data: { id, name: `cold ${version + i}` } },
    );
    version = (await appendToStream(db, decider.aggregateType, id, batch, { expectedVersion: version })).nextExpectedVersion;
  }
  const head = await readStream(db, id, { toVersion: events - 5, upcast: upcastDomainEvent });
  const state = head.reduce(folding.evolve, folding.initialState() as unknown);
  await saveSnapshot(db, { streamId: id, streamType: decider.aggregateType, version: events - 5, stateVersion: decider.stateVersion, state });
  return { id, events };
}

export const folding = {
  streamType: decider.aggregateType,
  initialState: decider.initialState,
  evolve: (state: unknown, event: LoadedEvent) => decider.evolve(state as never, { type: event.type, data: event.data } as never),
  upcast: upcastDomainEvent,
};

/** Loads per kind (with and without a snapshot) in one round's median. */
const COLD_LOADS = 21;
/**
 * Untimed `SELECT 1` round trips before each timed load. Right after a load
 * without a snapshot (5-10 ms of CPU), round trips on this 2-core machine
 * stay slower for a while (after plain JS work or a busy backend too): a
 * snapshot load timed right after one took 2-9 times as long as after
 * another snapshot load. Two round trips absorb part of it. Blocks of one
 * kind would spare the snapshot loads but charge each load without a
 * snapshot its predecessor's aftermath instead (+40%): see docs/BENCHMARKS.md,
 * "Cold load: what a load with a snapshot is made of".
 */
const SETTLE_ROUND_TRIPS = 2;
const KINDS = ["without", "with", "roundTrip"] as const;
/** Every order of the three kinds, taken in turn: each kind follows each other kind as often. */
const ORDERS = [[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 2, 1], [2, 1, 0], [1, 0, 2]].map((order) => order.map((i) => KINDS[i]!));

export interface ColdLoadRuler {
  /** Loads of one kind in a row (the bench: 1, the kinds take turns load by load). */
  block: number;
  /** Untimed `SELECT 1` round trips before each timed load. */
  settleRoundTrips: number;
  /** An idle wait before each timed load (after the round trips), as a Durable Object that was not running sees it. */
  idleMs?: number;
}

/**
 * Median ms of loads of the stream without and with its snapshot, as a new
 * AggregateDO loads it (one statement, upcast, fold), and of a `SELECT 1`
 * round trip (the floor: no load can take less), on one warm connection. The
 * three kinds take turns load by load, so they see the same moments of a
 * shared machine, each after the same untimed round trips. One unmeasured
 * load of each kind first warms the JIT, the buffer cache and the
 * connection's prepared statement.
 */
export async function coldLoads(
  db: Queryable,
  stream: LoadableStream,
  ruler: ColdLoadRuler = { block: 1, settleRoundTrips: SETTLE_ROUND_TRIPS },
): Promise<{ withoutMs: number; withMs: number; roundTripMs: number }> {
  const times = { without: [] as number[], with: [] as number[], roundTrip: [] as number[] };
  const roundTrip = () => db.query("SELECT 1");
  const load = async (withSnapshot: boolean) => {
    const loaded = await aggregateStream(db, stream.id, { ...folding, ...(withSnapshot ? { snapshot: { stateVersion: decider.stateVersion } } : {}) });
    if (loaded.version !== stream.events || (withSnapshot && loaded.snapshotVersion === null)) throw new Error(`cold load of ${stream.events} events went wrong`);
  };
  const run = { without: () => load(false), with: () => load(true), roundTrip };
  for (const kind of KINDS) await run[kind]();
  for (let turn = 0; turn < COLD_LOADS / ruler.block; turn++) {
    for (const kind of ORDERS[turn % ORDERS.length]!) {
      for (let i = 0; i < ruler.block; i++) {
        for (let settle = 0; settle < ruler.settleRoundTrips; settle++) await roundTrip();
        if (ruler.idleMs) await sleep(ruler.idleMs);
        const started = performance.now();
        await run[kind]();
        times[kind].push(performance.now() - started);
      }
    }
  }
  return { withoutMs: median(times.without), withMs: median(times.with), roundTripMs: median(times.roundTrip) };
}

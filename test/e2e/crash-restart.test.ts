// After `npm run seed`, killing and restarting the stack at random points never
// leaves the Query DB different from a full rebuild. The seed is killed
// mid-run several times: wrangler (and its workerd) with SIGKILL, so Durable
// Objects die mid-command and mid-projection-batch; in one round the whole
// machine "loses power" (`npm start`, wrangler and every Postgres process at
// once). The stack restarts on the same data directory each time, the seed
// finally runs to completion, and the read models, once caught up, must equal
// what `npm run rebuild-projections` builds from the log.
// CRASH_SEED=<n> replays the kill points of a failed run; CRASH_ROUNDS=<n>
// kills more often (default 3).
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort, isPortFree } from "../../scripts/lib/ports.ts";
import { stopLeftovers } from "../../scripts/lib/stack-leftovers.ts";
import { startStack, type LocalStack } from "../../scripts/lib/stack.ts";
import { DEMO_CATEGORIES, DEMO_ORDERS, DEMO_PRICE_HISTORY, DEMO_PRODUCTS, DEMO_STOCK_UPDATES } from "../../scripts/seed/demo-catalog.ts";
import { createGraphQLClient } from "../../scripts/seed/graphql-client.ts";
import { createPool } from "../../src/db/connection.ts";
import {
  crashMachine,
  killChildGroups,
  npmStart,
  processGroup,
  randomFrom,
  readStackState,
  runRebuild,
  runSeed,
  waitUntil,
  type ChildRun,
} from "./crash-support.ts";

const KILL_ROUNDS = Number(process.env.CRASH_ROUNDS) || 3;
const SEED = Number(process.env.CRASH_SEED) || Math.floor(Math.random() * 2 ** 31);
const random = randomFrom(SEED);
const crashRound = Math.floor(random() * KILL_ROUNDS);
/** Each round kills the stack once the seed has written this share of what it still had to write. */
const killAtShare = Array.from({ length: KILL_ROUNDS }, () => random());
console.log(
  `crash-restart: CRASH_SEED=${SEED} (kills at ${killAtShare.map((share) => `${Math.round(share * 100)}%`).join(", ")} ` +
    `of the remaining writes; round ${crashRound + 1} is a machine crash)`,
);

/**
 * One event per seed mutation (the sagas' own events and the commands they
 * send are counted apart): more means a command was applied twice, fewer that
 * one was lost.
 */
const EXPECTED_EVENTS =
  DEMO_CATEGORIES.length +
  DEMO_PRODUCTS.length +
  DEMO_PRICE_HISTORY.reduce((sum, history) => sum + history.prices.length, 0) +
  DEMO_STOCK_UPDATES.length +
  DEMO_ORDERS.length +
  DEMO_ORDERS.filter((order) => order.cancelReason).length;
/**
 * A user's cancel lands only while the order's saga has not confirmed it; a seed
 * interrupted between the two may come back too late (the seed says so and goes on).
 */
const USER_CANCELS = DEMO_ORDERS.filter((order) => order.cancelReason).length;

const READ_MODELS = ["categories", "products", "orders"] as const;

let dataDir: string;
let port: number;
let pgPort: number;
let stack: LocalStack | undefined;

const start = () => startStack({ dataDir, port, pgPort, echo: false, log: () => undefined, command: "test/e2e/crash-restart.test.ts" });
const graphql = () => createGraphQLClient({ url: `http://127.0.0.1:${port}/graphql` });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "edge-cqrs-crash-"));
  await chmod(dataDir, 0o755); // as root, Postgres runs as the postgres user
  [port, pgPort] = await Promise.all([findFreePort(), findFreePort()]);
});

afterAll(async () => {
  try {
    if (stack) {
      stack.kill();
      await stack.stop().catch((error: unknown) => console.error("stopping the stack:", error));
    }
    await killChildGroups(); // seeds, npm start
    // What a killed `npm start` leaves: its wrangler (own process group) and Postgres.
    await stopLeftovers(dataDir, readStackState(dataDir) ?? {});
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

async function settle(run: ChildRun, timeoutMs = 30_000): Promise<number | string> {
  return Promise.race([run.exited, sleep(timeoutMs).then(() => `still running after ${timeoutMs} ms:\n${run.output()}`)]);
}

async function totalEvents(): Promise<number> {
  const { data } = await graphql()<{ eventStoreStats: { totalEvents: number } }>(`{ eventStoreStats { totalEvents } }`);
  return data.eventStoreStats.totalEvents;
}

async function waitForNpmStart(run: ChildRun): Promise<void> {
  await waitUntil(
    async () => {
      if (run.child.exitCode !== null || run.child.signalCode !== null) throw new Error(`npm start exited early:\n${run.output()}`);
      return run.output().includes("The local stack is ready");
    },
    120_000,
    "npm start",
  );
}

interface ProjectionState {
  name: string;
  status: string;
  eventsBehind: number;
  lastError: string | null;
  rebuild: { eventsBehind: number } | null;
}

/** Reading it wakes no projector. */
async function projectionStatus(): Promise<ProjectionState[]> {
  const { data } = await graphql()<{ projectionStatus: ProjectionState[] }>(
    `{ projectionStatus { name status eventsBehind lastError rebuild { eventsBehind } } }`,
  );
  return data.projectionStatus;
}

const describeLag = (states: ProjectionState[]) => states.map((p) => `${p.name} ${p.eventsBehind}`).join(", ");

/**
 * Kills are aimed at the moment a projector has committed events to apply (it
 * is then likely mid-batch): up to `timeoutMs`, or until the seed ends.
 */
async function waitForLag(timeoutMs: number, seedEnded: () => boolean): Promise<ProjectionState[]> {
  const deadline = Date.now() + timeoutMs;
  let states: ProjectionState[] = [];
  while (Date.now() < deadline && !seedEnded()) {
    states = await projectionStatus();
    if (states.some((p) => p.eventsBehind > 0)) break;
  }
  return states;
}

/**
 * Runs the seed and kills the stack once it has written `share` of the events
 * it still had to write, at the next moment a projection lags behind the log.
 */
async function seedAndKill(round: number, share: number): Promise<void> {
  const machineCrash = round === crashRound;
  const began = performance.now();
  const npm = machineCrash ? npmStart({ port, pgPort, dataDir }) : undefined;
  if (npm) await waitForNpmStart(npm);
  else stack = await start();
  const eventsAtStart = await totalEvents();
  const lagAtStart = await projectionStatus();
  const startedIn = performance.now() - began;

  // The seed first replays what earlier rounds wrote, then writes the rest.
  const killAtEvents = eventsAtStart + Math.max(1, Math.floor(share * (EXPECTED_EVENTS - eventsAtStart)));
  const seed = runSeed(`http://127.0.0.1:${port}/graphql`);
  let seedDone = false;
  void seed.exited.then(() => (seedDone = true));
  await waitUntil(async () => seedDone || (await totalEvents()) >= killAtEvents, 60_000, `the seed's event ${killAtEvents}`);
  const lagAtKill = await waitForLag(500, () => seedDone);
  const finishedBeforeKill = seedDone;
  const wranglerPid = readStackState(dataDir)?.wranglerPid;
  expect(wranglerPid).toBeDefined();
  const group = processGroup(wranglerPid!);
  // A hard kill of wrangler must take workerd (where the Durable Objects run) with it.
  expect(group.some((p) => p.command.includes("workerd")), group.map((p) => p.command).join("\n")).toBe(true);

  if (npm) {
    await crashMachine(dataDir, npm.child.pid!);
    await npm.exited;
  } else {
    stack!.kill();
    await stack!.exited;
  }
  await waitUntil(() => processGroup(wranglerPid!).length === 0, 10_000, "wrangler's process group to die");
  const seedExit = await settle(seed);
  if (!npm) {
    await stack!.stop();
    stack = undefined;
  }
  await waitUntil(async () => (await isPortFree(port)) && (await isPortFree(pgPort)), 10_000, "the ports to be free");
  console.log(
    `round ${round + 1}: stack up in ${(startedIn / 1000).toFixed(1)} s with ${eventsAtStart} events (behind: ${describeLag(lagAtStart)}); ` +
      `${machineCrash ? "machine crash" : "wrangler SIGKILL"} at event ${killAtEvents}+ (behind: ${describeLag(lagAtKill)}); ` +
      `seed ${finishedBeforeKill ? "had finished" : "killed"}, exit ${seedExit}`,
  );
}

/** Polls projectionStatus until every projection is running and caught up; returns the first answer too. */
async function waitForProjections(timeoutMs: number): Promise<{ took: number; first: ProjectionState[] }> {
  const began = performance.now();
  let first: ProjectionState[] | undefined;
  let last: ProjectionState[] = [];
  // The read models, the saga manager and the broadcast publisher.
  const caughtUp = () => last.length > READ_MODELS.length && last.every((p) => p.status === "running" && p.eventsBehind === 0 && !p.rebuild);
  try {
    await waitUntil(
      async () => {
        last = await projectionStatus();
        first ??= last;
        return caughtUp();
      },
      timeoutMs,
      "every projection to catch up",
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last status: ${JSON.stringify(last)}`);
  }
  return { took: performance.now() - began, first: first! };
}

type Rows = Record<string, unknown>[];

async function withQueryDb<T>(work: (query: (sql: string) => Promise<Rows>) => Promise<T>): Promise<T> {
  const pool = createPool({ url: stack!.databaseUrl, proxy: stack!.databaseProxy }, 2);
  try {
    return await work(async (sql) => (await pool.query(sql)).rows as Rows);
  } finally {
    await pool.end();
  }
}

/** The read models as plain JSON, rows in id order. */
async function readModels(query: (sql: string) => Promise<Rows>): Promise<Record<string, Rows>> {
  const tables: Record<string, Rows> = {};
  for (const table of READ_MODELS) tables[table] = JSON.parse(JSON.stringify(await query(`SELECT * FROM query.${table} ORDER BY id`))) as Rows;
  return tables;
}

describe("the stack killed at random points during the seed", () => {
  // Each test goes on from where the one before left the stack.
  let step = 0;
  const follows = (previous: number) => expect(step, "needs the tests before it to pass").toBe(previous);

  it(`restarts after each of ${KILL_ROUNDS} kills during the seed`, async () => {
    for (let round = 0; round < KILL_ROUNDS; round++) await seedAndKill(round, killAtShare[round]!);
    stack = await start();
    step = 1;
  });

  it("resumes every projection by itself after the last kill: no new write, no nudge", async () => {
    follows(1);
    // Only the projectors' own alarms (every 30 s, kept in Durable Object
    // storage across the kill) can move a projection that the kill stopped
    // mid-batch: projectionStatus wakes nothing.
    const { took, first } = await waitForProjections(45_000);
    console.log(`after the restart: behind ${describeLag(first)}; all caught up after ${(took / 1000).toFixed(1)} s`);
    step = 2;
  });

  it("completes the seed with every write exactly once", async () => {
    follows(2);
    const seed = runSeed(stack!.urls.graphql);
    const exit = await settle(seed, 120_000);
    expect(exit, seed.output()).toBe(0);
    console.log(`final seed: ${seed.output().trim().split("\n").at(-1)}`);

    const { data } = await graphql()<{
      categories: unknown[];
      products: unknown[];
      orders: unknown[];
      eventStoreStats: { totalEvents: number };
    }>(`{ categories(limit: 100) { id } products(limit: 100) { id } orders(limit: 100) { id } eventStoreStats { totalEvents } }`);
    expect(data.categories).toHaveLength(DEMO_CATEGORIES.length);
    expect(data.products.length).toBeGreaterThanOrEqual(50);
    expect(data.products).toHaveLength(DEMO_PRODUCTS.length);
    expect(data.orders).toHaveLength(DEMO_ORDERS.length);
    const [counted] = await withQueryDb((query) =>
      query(`SELECT count(*)::int AS mutations, (count(*) FILTER (WHERE event_type = 'order.cancelled'))::int AS cancels FROM event_store.events
             WHERE aggregate_type <> 'order_saga' AND coalesce(metadata->>'actor', '') <> 'order_saga'`),
    );
    const { mutations, cancels } = counted as { mutations: number; cancels: number };
    expect(cancels).toBeLessThanOrEqual(USER_CANCELS);
    expect(mutations).toBe(EXPECTED_EVENTS - (USER_CANCELS - cancels));
    await waitForProjections(45_000);
    step = 3;
  });

  it("keeps the write model in step with the event streams", async () => {
    follows(3);
    await withQueryDb(async (query) => {
      expect(
        await query(`SELECT s.stream_id, s.version, max(e.event_version) AS last_event FROM event_store.streams s
                     LEFT JOIN event_store.events e ON e.aggregate_id = s.stream_id
                     GROUP BY s.stream_id, s.version HAVING s.version IS DISTINCT FROM max(e.event_version)`),
      ).toEqual([]);
      for (const table of ["command.categories", "command.products", ...READ_MODELS.map((t) => `query.${t}`)]) {
        const drift = await query(`SELECT t.id, t.version, s.version AS stream_version FROM ${table} t
                                   LEFT JOIN event_store.streams s ON s.stream_id = t.id WHERE s.version IS DISTINCT FROM t.version`);
        expect(drift, table).toEqual([]);
      }
      const [counts] = await query(`SELECT (SELECT count(*) FROM command.categories)::int AS categories,
                                           (SELECT count(*) FROM command.products)::int AS products`);
      expect(counts).toEqual({ categories: DEMO_CATEGORIES.length, products: DEMO_PRODUCTS.length });
    });
    step = 4;
  });

  it("ends every saga, with stock and orders that reconcile with the event log", async () => {
    follows(4);
    await withQueryDb(async (query) => {
      // The final seed waited for the sagas: none may still be active, whatever the kills interrupted.
      expect(await query(`SELECT saga_id, status, current_step FROM event_store.sagas WHERE status IN ('started', 'compensating')`)).toEqual([]);
      expect(await query(`SELECT count(*)::int AS n FROM event_store.sagas`)).toEqual([{ n: DEMO_ORDERS.length }]);
      // An order is confirmed exactly when its saga completed, and cancelled when it was undone.
      expect(
        await query(`SELECT o.id, o.status, o.saga_status FROM query.orders o
                     WHERE NOT ((o.status = 'confirmed' AND o.saga_status = 'completed') OR (o.status = 'cancelled' AND o.saga_status = 'compensated'))`),
      ).toEqual([]);
      // Nothing is held for an order that is not in progress.
      expect(await query(`SELECT id, reserved_quantity FROM command.products WHERE reserved_quantity <> 0`)).toEqual([]);
      // Each product's stock is what its last stock event says.
      expect(
        await query(`SELECT p.id, p.stock_quantity, last.stock FROM command.products p
                     JOIN LATERAL (SELECT (e.event_data->>'stockQuantity')::int AS stock FROM event_store.events e
                                   WHERE e.aggregate_id = p.id AND e.event_data ? 'stockQuantity' ORDER BY e.event_version DESC LIMIT 1) last ON true
                     WHERE last.stock <> p.stock_quantity`),
      ).toEqual([]);
      // A confirmed order's units left stock exactly once; a cancelled order's came back.
      expect(
        await query(`WITH lines AS (
                       SELECT o.id AS order_id, o.status, (i->>'productId')::uuid AS product_id, (i->>'quantity')::int AS quantity
                       FROM query.orders o, jsonb_array_elements(o.items) i),
                     moves AS (
                       SELECT (e.event_data->>'orderId')::uuid AS order_id, e.aggregate_id AS product_id,
                              sum((e.event_data->>'quantity')::int) FILTER (WHERE e.event_type = 'product.stock_reserved') AS reserved,
                              coalesce(sum((e.event_data->>'quantity')::int) FILTER (WHERE e.event_type = 'product.stock_committed'), 0) AS committed,
                              coalesce(sum((e.event_data->>'quantity')::int) FILTER (WHERE e.event_type = 'product.stock_released'), 0) AS released
                       FROM event_store.events e WHERE e.event_type LIKE 'product.stock_%' AND e.event_data ? 'orderId' GROUP BY 1, 2)
                     SELECT l.*, m.reserved, m.committed, m.released FROM lines l LEFT JOIN moves m USING (order_id, product_id)
                     WHERE (l.status = 'confirmed' AND (m.reserved IS DISTINCT FROM l.quantity OR m.committed <> l.quantity OR m.released <> 0))
                        OR (l.status = 'cancelled' AND coalesce(m.committed, 0) <> 0)
                        OR (l.status = 'cancelled' AND coalesce(m.reserved, 0) <> coalesce(m.released, 0))`),
      ).toEqual([]);
    });
    step = 5;
  });

  it("leaves the Query DB exactly as a full rebuild from the log builds it", async () => {
    follows(5);
    const beforeRebuild = await withQueryDb(readModels);
    expect(beforeRebuild.products!.length).toBe(DEMO_PRODUCTS.length);

    const rebuild = runRebuild(stack!.databaseUrl);
    const exit = await settle(rebuild, 60_000);
    expect(exit, rebuild.output()).toBe(0);
    for (const name of READ_MODELS) expect(rebuild.output()).toMatch(new RegExp(`${name}: \\d+ events replayed`));

    await waitForProjections(10_000);
    const rebuilt = await withQueryDb(readModels);
    for (const table of READ_MODELS) expect(rebuilt[table], `query.${table}`).toEqual(beforeRebuild[table]);
  });
});

// The Worker and its Durable Objects in workerd (the Workers test pool),
// reaching the test Postgres (started by test/support/global-setup.ts) through
// the WebSocket proxy. The Workers tests and the hot-aggregate bench's driver
// run on it, each with bindings of its own on top.
import { cloudflarePool, cloudflareTest } from "@cloudflare/vitest-pool-workers";
import type { PoolRunnerInitializer, PoolWorker } from "vitest/node";
import type { DatabaseLane } from "./global-setup.ts";

const runtimeOptions = (database: DatabaseLane, bindings: Record<string, string>) => ({
  wrangler: { configPath: "./wrangler.toml" },
  miniflare: {
    bindings: {
      DATABASE_URL: database.url,
      DB_PROXY: database.proxy,
      // wrangler.toml deploys in token mode; test/workers/access.test.ts covers it.
      AUTH_MODE: "open",
      // Every test file is one client here; test/workers/rate-limit.test.ts turns it on.
      RATE_LIMIT: "off",
      ...bindings,
    },
  },
});

export const workersRuntime = (bindings: Record<string, string> = {}) =>
  cloudflareTest(({ inject }) => runtimeOptions({ url: inject("databaseUrl"), proxy: inject("databaseProxy") }, bindings));

/**
 * The same runtime for test files that run side by side (a project with
 * maxWorkers > 1): each file's workerd gets a Postgres server of its own for as
 * long as it runs (global-setup's databaseLanes). Two files' Durable Objects
 * never share checkpoints or log positions, and a transaction one file holds
 * open does not hold back the other's consumers (the xmin bound a consumer
 * reads up to is the whole server's, so separate databases would not do).
 */
export function workersRuntimeInLanes(bindings: Record<string, string> = {}) {
  const plugin = cloudflareTest(runtimeOptions({ url: "", proxy: "" }, bindings));
  const configure = plugin.configureVitest!;
  plugin.configureVitest = (context) => {
    configure(context);
    context.project.config.poolRunner = laneRunner(bindings);
  };
  return plugin;
}

// Shared by every project in lanes: their groups run one after the other.
const freeLanes: DatabaseLane[] = [];
const waiting: ((lane: DatabaseLane) => void)[] = [];
let lanesLoaded = false;

function acquireLane(lanes: DatabaseLane[]): Promise<DatabaseLane> {
  if (!lanesLoaded) {
    freeLanes.push(...lanes);
    lanesLoaded = true;
  }
  const lane = freeLanes.shift();
  return lane ? Promise.resolve(lane) : new Promise((resolve) => waiting.push(resolve));
}

function releaseLane(lane: DatabaseLane) {
  const next = waiting.shift();
  if (next) next(lane);
  else freeLanes.push(lane);
}

// vitest ends a file's workerd without waiting for it to stop before starting the
// next file: a lane is free again only once the previous workerd has stopped,
// so no Durable Object of an earlier file still runs against it.
function laneRunner(bindings: Record<string, string>): PoolRunnerInitializer {
  return {
    name: "cloudflare-pool",
    createPoolWorker(options) {
      let lane: DatabaseLane | undefined;
      let worker: PoolWorker | undefined;
      const giveBack = () => {
        if (lane) releaseLane(lane);
        lane = undefined;
      };
      const started = () => {
        if (!worker) throw new Error("The Workers runtime was used before it started");
        return worker;
      };
      return {
        name: "cloudflare-pool",
        async start() {
          lane = await acquireLane(options.project.getProvidedContext().databaseLanes);
          worker = cloudflarePool(runtimeOptions(lane, bindings)).createPoolWorker(options);
          try {
            await worker.start();
          } catch (error) {
            giveBack(); // a workerd that did not start has nothing running against the lane
            throw error;
          }
        },
        async stop() {
          try {
            await worker?.stop();
          } finally {
            giveBack();
          }
        },
        send: (message) => started().send(message),
        on: (event, callback) => started().on(event, callback),
        off: (event, callback) => started().off(event, callback),
        deserialize: (data) => started().deserialize(data),
      };
    },
  };
}

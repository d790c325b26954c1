// `npm run seed`: loads a demo shop (categories, products, price and stock
// changes, orders) into a running stack through its public GraphQL API.
// Safe to run again: the second run writes nothing. GRAPHQL_URL picks the
// stack (default http://127.0.0.1:8787/graphql).
import { createGraphQLClient, SeedError, type GraphQLClient } from "./seed/graphql-client.ts";
import { loadDemoCatalog, type LoadedCatalog } from "./seed/load-demo-catalog.ts";

const DEFAULT_URL = "http://127.0.0.1:8787/graphql";

async function main(): Promise<void> {
  const url = process.env.GRAPHQL_URL || DEFAULT_URL;
  const graphql = createGraphQLClient({ url });
  const started = performance.now();

  const eventsBefore = await totalEvents(graphql);
  console.log(`Seeding demo data through ${url}...`);
  const loaded = await loadDemoCatalog(graphql);
  const sagas = await sagasSettled(graphql);
  const visible = await readModelCounts(graphql, loaded.lastPosition);
  const written = (await totalEvents(graphql)) - eventsBefore;

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    [
      `  ${loaded.categories} categories, ${loaded.products} products (${loaded.priceChanges} price changes, ${loaded.stockUpdates} stock updates),`,
      `  ${loaded.orders} orders (${loaded.cancelledOrders} cancelled by their users); sagas: ${sagas.completed} completed, ${sagas.failed} undone or failed;`,
      `  the read models now hold ${visible.categories} categories, ${visible.products} products and ${visible.orders} orders.`,
      written === 0
        ? `Replay: everything was seeded before, so nothing was written (${seconds} s).`
        : `Wrote ${written} events (${seconds} s)${written < expectedEvents(loaded) ? ", partly a replay of an earlier run" : ""}.`,
    ].join("\n"),
  );
}

/** Events a fresh load writes at least: one per mutation (the sagas add theirs). */
function expectedEvents(loaded: LoadedCatalog): number {
  return loaded.categories + loaded.products + loaded.priceChanges + loaded.stockUpdates + loaded.orders + loaded.cancelledOrders;
}

async function totalEvents(graphql: GraphQLClient): Promise<number> {
  const { data } = await graphql<{ eventStoreStats: { totalEvents: number } }>(`query SeedEventCount { eventStoreStats { totalEvents } }`);
  return data.eventStoreStats.totalEvents;
}

/** Sagas run after their orders are placed: wait until none is active, so a second run finds nothing moving. */
async function sagasSettled(graphql: GraphQLClient, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data } = await graphql<{ systemStatistics: { sagas: { active: number; completed: number; failed: number }; queryDb: { orders: number } } }>(
      `query SeedSagas { systemStatistics { sagas { active completed failed } queryDb { orders } } }`,
    );
    const { sagas, queryDb } = data.systemStatistics;
    // Every order gets a saga; the manager may not have started the newest ones yet.
    if (sagas.active === 0 && sagas.completed + sagas.failed >= queryDb.orders) return sagas;
    if (Date.now() > deadline) throw new SeedError(`${sagas.active} order sagas still running after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Waits until the read models have applied the whole run, then counts their rows. */
async function readModelCounts(graphql: GraphQLClient, minPosition: string | undefined) {
  await graphql(
    `query SeedCaughtUp($minPosition: String) {
      categories(limit: 1, minPosition: $minPosition) { id }
      products(limit: 1, minPosition: $minPosition) { id }
      orders(limit: 1, minPosition: $minPosition) { id }
    }`,
    { minPosition },
  );
  const { data } = await graphql<{ systemStatistics: { queryDb: { categories: number; products: number; orders: number } } }>(
    `query SeedCounts { systemStatistics { queryDb { categories products orders } } }`,
  );
  return data.systemStatistics.queryDb;
}

try {
  await main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(error instanceof SeedError ? message : `Seeding failed: ${message}`);
  process.exitCode = 1;
}

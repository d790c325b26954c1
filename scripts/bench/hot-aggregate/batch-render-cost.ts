// A probe (docs/BENCHMARKS.md, "One hot aggregate: group commit, what was
// tried"): the JavaScript a hot category's batch costs before its append is
// sent - the definition's alongside statements built and rendered by drizzle,
// and the events' JSON - to weigh it against the batch cycle measured in
// workerd. Node, not workerd (workerd's clock stands still while it computes).
// npx tsx scripts/bench/hot-aggregate/batch-render-cost.ts
import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { alongsideStatements } from "../../../src/commands/aggregate-definition.ts";
import { categoryWriteModel } from "../../../src/commands/category-write-model.ts";
import type { CategoryEvent, CategoryState } from "../../../src/domain/category/category.ts";

const dialect = new PgDialect();
const id = "01a231ef-ab9d-72c5-8087-5e67664403ca";
const state = { status: "active", id, name: "Hot shelf", description: null, parentId: null } as unknown as CategoryState;
const events = [{ type: "category.updated", data: { id, name: "Hot shelf 1" } }] as unknown as CategoryEvent[];
const metadata = { commandId: id, correlationId: id, causationId: id };
const BATCHES = 5000;

for (let round = 0; round < 3; round++) {
  let started = performance.now();
  for (let i = 0; i < BATCHES; i++) {
    // As appendToStream's withAlongside renders them: each as a CTE, then the count check.
    for (const { statement } of alongsideStatements(categoryWriteModel.alongside(events, state, i))) dialect.sqlToQuery(sql`, a AS MATERIALIZED (${statement})`);
    dialect.sqlToQuery(sql`, check(ARRAY[${1}]::bigint[])`);
  }
  const render = (performance.now() - started) / BATCHES;
  started = performance.now();
  for (let i = 0; i < BATCHES; i++) JSON.stringify([{ ...events[0], metadata: { ...metadata }, schemaVersion: 1 }]);
  const json = (performance.now() - started) / BATCHES;
  console.log(`round ${round + 1}: alongside built and rendered ${(render * 1000).toFixed(1)} us per batch, events JSON ${(json * 1000).toFixed(1)} us`);
}

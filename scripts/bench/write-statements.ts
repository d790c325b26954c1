// What Postgres does for a write through the stack, statement by statement:
// calls, planning and execution time per write (pg_stat_statements with
// track_planning), each client renaming its own category (the stack bench's
// `write: own category each`) or all one hot category (`--hot`).
//   npx tsx scripts/bench/write-statements.ts [--requests 300] [--clients 8] [--hot] [--top 12]
import { parseArgs } from "node:util";
import pg from "pg";
import { graphql, openTarget } from "./stack.ts";

const { values: args } = parseArgs({
  options: { requests: { type: "string", default: "300" }, clients: { type: "string", default: "8" }, hot: { type: "boolean", default: false }, top: { type: "string", default: "12" } },
});
const requests = Number(args.requests);
const clients = Number(args.clients);
const UPDATE = `mutation($id: ID!, $name: String!) { updateCategory(input: { id: $id, name: $name }) { version } }`;

const target = await openTarget("npx tsx scripts/bench/write-statements.ts", undefined, [
  "-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track_planning=on",
]);
const db = new pg.Client({ connectionString: target.databaseUrl });
try {
  await db.connect();
  await db.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  const own: string[] = [];
  for (let c = 0; c < clients; c++) own.push((await graphql(target.graphql, `mutation { createCategory(input: { name: "Statements ${c}" }) { id } }`, {}, true)).createCategory.id);
  const send = async (count: number) => {
    let left = count;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        for (let i = 0; left-- > 0; i++) await graphql(target.graphql, UPDATE, { id: own[args.hot ? 0 : c], name: `Statements ${c} ${i}` }, true);
      }),
    );
  };
  await send(50);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await db.query("SELECT pg_stat_statements_reset()");
  const began = performance.now();
  await send(requests);
  const wallMs = performance.now() - began;
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const { rows } = await db.query(
    `SELECT calls, total_plan_time, total_exec_time, plans, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
     FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_plan_time + total_exec_time DESC`,
  );
  const per = (n: number) => (n / requests).toFixed(3);
  let calls = 0, plan = 0, exec = 0;
  for (const r of rows) (calls += Number(r.calls)), (plan += r.total_plan_time), (exec += r.total_exec_time);
  console.log(`${requests} writes (${args.hot ? "one hot category" : "own category each"}), ${clients} clients, ${((requests / wallMs) * 1000).toFixed(0)} req/s; per write: ${per(calls)} statements, plan ${per(plan)} ms, exec ${per(exec)} ms`);
  console.log("calls/write  plans/write  plan ms/write  exec ms/write  statement");
  for (const r of rows.slice(0, Number(args.top))) {
    console.log(`${per(Number(r.calls)).padStart(11)}  ${per(Number(r.plans)).padStart(11)}  ${per(r.total_plan_time).padStart(13)}  ${per(r.total_exec_time).padStart(13)}  ${r.query}`);
  }
} finally {
  await db.end().catch(() => undefined);
  await target.close();
}

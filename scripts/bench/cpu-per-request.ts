// CPU time the local stack spends per GraphQL request: the user+system time
// of every process this script started (workerd, wrangler, Postgres, the
// WebSocket proxy) over N requests, read from /proc, divided by N. Unlike
// requests/s it barely moves when other work shares the machine, so an A/B
// of a per-request cost can be read on a busy machine. Linux only.
//   npx tsx scripts/bench/cpu-per-request.ts [--requests 400] [--clients 4] [--nested]
// --nested adds the stack bench's catalog (a root, 5 children, 20 products)
// and its nested read (stack.ts, "read: nested").
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { graphql, openTarget } from "./stack.ts";

const { values: args } = parseArgs({
  options: { requests: { type: "string", default: "400" }, clients: { type: "string", default: "4" }, nested: { type: "boolean", default: false } },
});
const requests = Number(args.requests);
const clients = Number(args.clients);
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

const NESTED = "{ categories(limit: 5) { name children { name } } products(limit: 10) { name price category { name parent { name } } } }";
const QUERIES = ["{ __typename }", "{ categories(limit: 10) { id name } }", ...(args.nested ? [NESTED] : [])];

/** CPU ticks (user + system) per command name, over this process's descendants. */
function descendantTicks(): Map<string, number> {
  const processes = readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return [{ pid: Number(entry), ppid: Number(fields[1]), name, ticks: Number(fields[11]) + Number(fields[12]) }];
    } catch {
      return []; // gone meanwhile
    }
  });
  const ours = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of processes) if (!ours.has(p.pid) && ours.has(p.ppid)) (ours.add(p.pid), (grew = true));
  }
  const byName = new Map<string, number>();
  for (const p of processes) if (p.pid !== process.pid && ours.has(p.pid)) byName.set(p.name, (byName.get(p.name) ?? 0) + p.ticks);
  return byName;
}

async function createCatalog(url: string): Promise<void> {
  const call = (query: string, variables: Record<string, unknown>) => graphql(url, query, variables, true);
  const root = (await call(`mutation { createCategory(input: { name: "Bench root" }) { id } }`, {})).createCategory.id as string;
  const children: string[] = [];
  for (let i = 0; i < 5; i++) children.push((await call(`mutation($p: ID!) { createCategory(input: { name: "Bench child ${i}", parentId: $p }) { id } }`, { p: root })).createCategory.id);
  for (let i = 0; i < 20; i++) {
    const input = { name: `Bench product ${i}`, categoryId: children[i % children.length], price: `${(i + 1) * 1.5}`, stockQuantity: 1_000_000 };
    await call(`mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`, { input });
  }
}

async function send(url: string, query: string, count: number): Promise<void> {
  let left = count;
  await Promise.all(Array.from({ length: clients }, async () => { while (left-- > 0) await graphql(url, query, {}, true); }));
}

const target = await openTarget("npx tsx scripts/bench/cpu-per-request.ts");
try {
  await graphql(target.graphql, `mutation { createCategory(input: { name: "CPU bench" }) { id } }`, {}, true);
  if (args.nested) await createCatalog(target.graphql);
  for (const query of QUERIES) {
    await send(target.graphql, query, 50);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = descendantTicks();
    const began = performance.now();
    await send(target.graphql, query, requests);
    const wallMs = performance.now() - began;
    // Work after the response (telemetry) belongs to the request too.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = descendantTicks();
    const perRequest = (name: string) => (((after.get(name) ?? 0) - (before.get(name) ?? 0)) * 1000) / TICKS_PER_SECOND / requests;
    const names = [...after.keys()].filter((name) => perRequest(name) > 0);
    const total = names.reduce((sum, name) => sum + perRequest(name), 0);
    const parts = names.map((name) => `${name} ${perRequest(name).toFixed(2)}`).join(", ");
    console.log(`${query.slice(0, 40).padEnd(40)} CPU ${total.toFixed(2)} ms/request (${parts}); ${((requests / wallMs) * 1000).toFixed(0)} req/s, ${clients} clients, load ${loadavg()[0]!.toFixed(2)}`);
  }
} finally {
  await target.close();
}

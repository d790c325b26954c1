// CPU time the local stack spends per GraphQL request: the user+system time
// of every process this script started (workerd, wrangler, Postgres, the
// WebSocket proxy) over N requests, read from /proc, divided by N. Unlike
// requests/s it barely moves when other work shares the machine, so an A/B
// of a per-request cost can be read on a busy machine. Linux only.
//   npx tsx scripts/bench/cpu-per-request.ts [--requests 400] [--clients 4] [--only floor,write] [--nested]
// --nested adds the stack bench's catalog (a root, 5 children, 20 products)
// and its nested read (stack.ts, "read: nested") as the row `nested`.
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { descendantTicks, TICKS_PER_SECOND } from "./process-cpu.ts";
import { graphql, openTarget } from "./stack.ts";

const { values: args } = parseArgs({
  options: { requests: { type: "string", default: "400" }, clients: { type: "string", default: "4" }, only: { type: "string" }, nested: { type: "boolean", default: false } },
});
const requests = Number(args.requests);
const clients = Number(args.clients);

interface Request {
  name: string;
  /** Client c's next request. */
  body(client: number, i: number): { query: string; variables?: Record<string, unknown> };
}

/** Each client renames its own category: a write with its consumers' passes, as the stack bench's `write: own category each`. */
const UPDATE = `mutation($id: ID!, $name: String!) { updateCategory(input: { id: $id, name: $name }) { version } }`;

const NESTED = "{ categories(limit: 5) { name children { name } } products(limit: 10) { name price category { name parent { name } } } }";

function requestsFor(ownCategories: string[]): Request[] {
  const all: Request[] = [
    { name: "floor", body: () => ({ query: "{ __typename }" }) },
    { name: "categories", body: () => ({ query: "{ categories(limit: 10) { id name } }" }) },
    { name: "write", body: (c, i) => ({ query: UPDATE, variables: { id: ownCategories[c], name: `CPU bench ${c} ${i}` } }) },
    ...(args.nested ? [{ name: "nested", body: () => ({ query: NESTED }) }] : []),
  ];
  const only = args.only?.split(",");
  return all.filter((r) => !only || only.includes(r.name));
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

async function send(url: string, request: Request, count: number): Promise<void> {
  let left = count;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; left-- > 0; i++) {
        const { query, variables } = request.body(client, i);
        await graphql(url, query, variables ?? {}, true);
      }
    }),
  );
}

const target = await openTarget("npx tsx scripts/bench/cpu-per-request.ts");
try {
  const own: string[] = [];
  for (let c = 0; c < clients; c++) own.push((await graphql(target.graphql, `mutation { createCategory(input: { name: "CPU bench ${c}" }) { id } }`, {}, true)).createCategory.id);
  if (args.nested) await createCatalog(target.graphql);
  for (const request of requestsFor(own)) {
    await send(target.graphql, request, 50);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = descendantTicks();
    const began = performance.now();
    await send(target.graphql, request, requests);
    const wallMs = performance.now() - began;
    // Work after the response (telemetry) belongs to the request too.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = descendantTicks();
    const perRequest = (name: string) => (((after.get(name) ?? 0) - (before.get(name) ?? 0)) * 1000) / TICKS_PER_SECOND / requests;
    const names = [...after.keys()].filter((name) => perRequest(name) > 0);
    const total = names.reduce((sum, name) => sum + perRequest(name), 0);
    const parts = names.map((name) => `${name} ${perRequest(name).toFixed(2)}`).join(", ");
    console.log(`${request.name.padEnd(12)} CPU ${total.toFixed(2)} ms/request (${parts}); ${((requests / wallMs) * 1000).toFixed(0)} req/s, ${clients} clients, load ${loadavg()[0]!.toFixed(2)}`);
  }
} finally {
  await target.close();
}

// How long a client waits from createOrder until the order reads back
// confirmed, through a running stack's GraphQL API (`npm start`):
//   npx tsx scripts/bench/order-to-confirmed.ts [orders]   (GRAPHQL_URL, default http://127.0.0.1:8787/graphql)
// Orders go one after another; each is polled every 10 ms.
export {};

const url = process.env.GRAPHQL_URL || "http://127.0.0.1:8787/graphql";
const orders = Number(process.argv[2] ?? 20);

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors ?? body));
  return body.data;
}

const { createCategory } = await gql<{ createCategory: { id: string } }>(`mutation { createCategory(input: { name: "Saga latency" }) { id } }`);
const { createProduct } = await gql<{ createProduct: { id: string } }>(
  `mutation($c: ID!) { createProduct(input: { name: "Saga latency probe", categoryId: $c, price: "1.00", stockQuantity: 1000000 }) { id } }`,
  { c: createCategory.id },
);
const times: number[] = [];
const ends: Record<string, number> = {};
for (let i = 0; i < orders; i++) {
  const began = performance.now();
  const { createOrder } = await gql<{ createOrder: { order: { id: string } } }>(
    `mutation($p: ID!) { createOrder(input: { userId: "latency-probe", items: [{ productId: $p, quantity: 1 }] }) { order { id } } }`,
    { p: createProduct.id },
  );
  for (;;) {
    const { order } = await gql<{ order: { status: string } | null }>(`query($id: ID!) { order(id: $id) { status } }`, { id: createOrder.order.id });
    if (order && ["confirmed", "cancelled", "failed"].includes(order.status)) {
      ends[order.status] = (ends[order.status] ?? 0) + 1;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  times.push(performance.now() - began);
}
times.sort((a, b) => a - b);
const at = (share: number) => times[Math.min(times.length - 1, Math.floor(share * times.length))]!.toFixed(0);
console.log(`${orders} orders, one after another, createOrder until the order reads back ended: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms (${JSON.stringify(ends)})`);

// Drive the system by hand: a category, a product in it, an order of it, and
// the order's saga followed until it is over.
import { useState } from "preact/hooks";
import { ErrorLine, Panel } from "../components.tsx";
import { request, RequestError } from "../graphql.ts";
import { usePoll } from "../hooks.ts";
import { SagaTimeline, TERMINAL } from "./sagas.tsx";

interface Named {
  id: string;
  name: string;
}

interface Product extends Named {
  price: string;
  stockQuantity: number;
}

interface OrderView {
  id: string;
  status: string;
  totalAmount: string;
  sagaId: string | null;
  sagaStatus: string | null;
}

const OUTCOMES = [
  { value: "", label: "as it comes (rare random failures)" },
  { value: "#charge=INSUFFICIENT_FUNDS", label: "payment refused: compensated" },
  { value: "#charge=SERVICE_UNAVAILABLE*2", label: "payment fails twice, then succeeds" },
];

export function ShopPage(props: { param?: string }) {
  const catalog = usePoll(() => request<{ categories: Named[]; products: Product[] }>("{ categories(limit: 50) { id name } products(limit: 50) { id name price stockQuantity } }"), 3_000, []);
  const [created, setCreated] = useState<{ categories: Named[]; products: Product[] }>({ categories: [], products: [] });
  const [error, setError] = useState<RequestError>();
  const [busy, setBusy] = useState(false);
  const categories = merge(created.categories, catalog.data?.categories);
  const products = merge(created.products, catalog.data?.products);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      catalog.refresh();
    } catch (caught) {
      setError(caught instanceof RequestError ? caught : new RequestError(String(caught), "CLIENT"));
    } finally {
      setBusy(false);
    }
  };

  /** A form's submit handler: runs `work` with its fields, then clears them when asked. */
  const submitted = (work: (data: FormData) => Promise<void>, options: { reset: boolean }) => (e: Event) => {
    const form = e.currentTarget as HTMLFormElement;
    e.preventDefault();
    const data = new FormData(form);
    void run(async () => {
      await work(data);
      if (options.reset) form.reset();
    });
  };

  return (
    <div class="grid">
      <Panel title="1. Category">
        <form
          onSubmit={submitted(async (data) => {
            const { createCategory } = await request<{ createCategory: Named }>("mutation C($input: CreateCategoryInput!) { createCategory(input: $input) { id name } }", {
              input: { name: data.get("name"), description: data.get("description") || null },
            });
            setCreated((c) => ({ ...c, categories: [createCategory, ...c.categories] }));
          }, { reset: true })}
        >
          <label>
            Name <input name="name" required maxLength={100} />
          </label>
          <label>
            Description <input name="description" />
          </label>
          <button type="submit" disabled={busy}>
            Create category
          </button>
        </form>
      </Panel>
      <Panel title="2. Product">
        <form
          onSubmit={submitted(async (data) => {
            const { createProduct } = await request<{ createProduct: Product }>("mutation P($input: CreateProductInput!) { createProduct(input: $input) { id name price stockQuantity } }", {
              input: { name: data.get("name"), categoryId: data.get("categoryId"), price: data.get("price"), stockQuantity: Number(data.get("stock")) },
            });
            setCreated((c) => ({ ...c, products: [createProduct, ...c.products] }));
          }, { reset: true })}
        >
          <label>
            Name <input name="name" required />
          </label>
          <label>
            Category
            <select name="categoryId" required>
              {categories.map((c) => (
                <option value={c.id}>{c.name}</option>
              ))}
            </select>
          </label>
          <label>
            Price <input name="price" required inputMode="decimal" pattern="\d+(\.\d{1,2})?" placeholder="9.99" />
          </label>
          <label>
            Stock <input name="stock" type="number" min="0" required defaultValue="10" />
          </label>
          <button type="submit" disabled={busy || categories.length === 0}>
            Create product
          </button>
        </form>
      </Panel>
      <Panel title="3. Order">
        <form
          onSubmit={submitted(async (data) => {
            const { createOrder } = await request<{ createOrder: { success: boolean; message: string | null; order: OrderView | null } }>(
              "mutation O($input: CreateOrderInput!) { createOrder(input: $input) { success message order { id status } } }",
              { input: { userId: `${data.get("userId")}${data.get("outcome")}`, items: [{ productId: data.get("productId"), quantity: Number(data.get("quantity")) }] } },
            );
            if (!createOrder.order) throw new RequestError(createOrder.message ?? "the order was refused", "ORDER_REFUSED");
            window.location.hash = `#/shop/${createOrder.order.id}`;
          }, { reset: false })}
        >
          <label>
            Product
            <select name="productId" required>
              {products.map((p) => (
                <option value={p.id}>
                  {p.name} ({p.price}, {p.stockQuantity} in stock)
                </option>
              ))}
            </select>
          </label>
          <label>
            Quantity <input name="quantity" type="number" min="1" required defaultValue="1" />
          </label>
          <label>
            User <input name="userId" required defaultValue="dashboard-user" />
          </label>
          <label>
            Simulated providers
            <select name="outcome">
              {OUTCOMES.map((o) => (
                <option value={o.value}>{o.label}</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={busy || products.length === 0}>
            Place order
          </button>
        </form>
      </Panel>
      <ErrorLine error={error} />
      {props.param && <OrderProgress id={props.param} />}
    </div>
  );
}

function OrderProgress(props: { id: string }) {
  const order = usePoll(() => request<{ order: OrderView | null }>("query O($id: ID!) { order(id: $id) { id status totalAmount sagaId sagaStatus } }", { id: props.id }), 1_000, [props.id]);
  const o = order.data?.order;
  return (
    <>
      <Panel title={`Order ${props.id}`} wide>
        <ErrorLine error={order.error} />
        {!o ? (
          <p>Waiting for the order to reach the read model…</p>
        ) : (
          <p>
            Status <strong data-testid="order-status">{o.status}</strong>, total {o.totalAmount}; saga{" "}
            <strong data-testid="order-saga-status" data-terminal={String(TERMINAL.includes(o.sagaStatus ?? ""))}>
              {o.sagaStatus ?? "not started"}
            </strong>
          </p>
        )}
      </Panel>
      {o?.sagaId && <SagaTimeline id={o.sagaId} />}
    </>
  );
}

function merge<T extends { id: string }>(mine: T[], server: T[] | undefined): T[] {
  const byId = new Map<string, T>();
  for (const item of [...mine, ...(server ?? [])]) byId.set(item.id, item);
  return [...byId.values()];
}

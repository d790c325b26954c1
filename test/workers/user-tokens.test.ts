// User tokens in token mode: a JWT signed HS256 with JWT_SECRET whose `sub` is
// the user id. It reads and acts on its own orders only; admin and API tokens
// see every order.
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { errorCode, gqlData, gqlWith, withDb } from "./support.ts";

const SETTINGS = { AUTH_MODE: "token", API_TOKEN: "api-secret", ADMIN_TOKEN: "admin-secret", JWT_SECRET: "jwt-secret-for-tests" };
const hour = () => Math.floor(Date.now() / 1000) + 3600;
const userToken = (sub: string, claims: Record<string, unknown> = {}, secret = SETTINGS.JWT_SECRET) => sign({ sub, exp: hour(), ...claims }, secret, "HS256");
// Shipping never answers for these users, so their sagas sit still and a cancel always lands (orders.test.ts).
const newUser = () => `user-${crypto.randomUUID()}#arrange=TIMEOUT`;

const CREATE = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { order { id userId } } }`;
const CANCEL = `mutation($id: ID!) { cancelOrder(input: { id: $id }) { id status } }`;
const ORDER = `query($id: ID!, $p: String) { order(id: $id, minPosition: $p) { id userId } }`;
const ORDERS = `query($p: String) { orders(limit: 100, minPosition: $p) { id userId } }`;
const USER_ORDERS = `query($u: String!, $p: String) { userOrders(userId: $u, minPosition: $p) { id userId } }`;

async function newProduct(): Promise<string> {
  const { createCategory } = await gqlData(`mutation { createCategory(input: { name: "Tokens" }) { id } }`);
  const { createProduct } = await gqlData(`mutation($c: ID!) { createProduct(input: { name: "Token lamp", categoryId: $c, price: "3.00", stockQuantity: 100 }) { id } }`, {
    c: createCategory.id,
  });
  return createProduct.id;
}

async function orderAs(token: string, userId: string, productId: string) {
  return gqlWith(SETTINGS, CREATE, { token, variables: { input: { userId, items: [{ productId, quantity: 1 }] } } });
}

const ordersOf = (userId: string) =>
  withDb(async (db) => Number((await db.query("SELECT count(*)::int AS n FROM event_store.events WHERE event_type = 'order.created' AND event_data->>'userId' = $1", [userId])).rows[0].n));

describe("user tokens", () => {
  it("create orders as their own user only, and see only their own orders", async () => {
    const productId = await newProduct();
    const [alice, bob] = [newUser(), newUser()];
    const [aliceToken, bobToken] = await Promise.all([userToken(alice), userToken(bob)]);

    const own = await orderAs(aliceToken, alice, productId);
    expect(own.errors).toBeUndefined();
    expect(own.data!.createOrder.order.userId).toBe(alice);
    const theirs = await orderAs(bobToken, bob, productId);
    const aliceOrder = own.data!.createOrder.order.id as string;
    const p = theirs.extensions!.position!;

    // Ordering as someone else is refused and writes nothing.
    expect(errorCode(await orderAs(aliceToken, bob, productId))).toBe("FORBIDDEN");
    expect(await ordersOf(bob)).toBe(1);

    expect((await gqlWith(SETTINGS, ORDER, { token: aliceToken, variables: { id: aliceOrder, p } })).data!.order).toEqual({ id: aliceOrder, userId: alice });
    // Another user's order reads as an unknown id.
    expect((await gqlWith(SETTINGS, ORDER, { token: bobToken, variables: { id: aliceOrder, p } })).data!.order).toBeNull();
    const listed = (await gqlWith(SETTINGS, ORDERS, { token: bobToken, variables: { p } })).data!.orders as { userId: string }[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((o) => o.userId === bob)).toBe(true);
    expect((await gqlWith(SETTINGS, USER_ORDERS, { token: bobToken, variables: { u: bob, p } })).data!.userOrders).toHaveLength(1);
    expect(errorCode(await gqlWith(SETTINGS, USER_ORDERS, { token: bobToken, variables: { u: alice, p } }))).toBe("FORBIDDEN");

    // The admin and API tokens see every user's orders.
    for (const token of [SETTINGS.ADMIN_TOKEN, SETTINGS.API_TOKEN]) {
      const all = (await gqlWith(SETTINGS, ORDERS, { token, variables: { p } })).data!.orders as { userId: string }[];
      expect(all.map((o) => o.userId)).toEqual(expect.arrayContaining([alice, bob]));
      expect((await gqlWith(SETTINGS, ORDER, { token, variables: { id: aliceOrder, p } })).data!.order).toEqual({ id: aliceOrder, userId: alice });
    }
  });

  it("cancel their own orders only; another user's is ORDER_NOT_FOUND and stays as it was", async () => {
    const productId = await newProduct();
    const [alice, bob] = [newUser(), newUser()];
    const [aliceToken, bobToken] = await Promise.all([userToken(alice), userToken(bob)]);
    const id = (await orderAs(aliceToken, alice, productId)).data!.createOrder.order.id as string;

    expect(errorCode(await gqlWith(SETTINGS, CANCEL, { token: bobToken, variables: { id } }))).toBe("ORDER_NOT_FOUND");
    const cancelledEvents = () => withDb(async (db) => (await db.query("SELECT count(*)::int AS n FROM event_store.events WHERE aggregate_id = $1 AND event_type = 'order.cancelled'", [id])).rows[0].n);
    expect(await cancelledEvents()).toBe(0);

    const cancelled = await gqlWith(SETTINGS, CANCEL, { token: aliceToken, variables: { id } });
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data!.cancelOrder.status).toBe("cancelled");
  });

  it("read no event log, sagas or pub/sub messages: those hold every user's orders", async () => {
    const token = await userToken(newUser());
    for (const query of [`{ events(aggregateType: "order") { id } }`, `{ sagas { id } }`, `{ pubsubMessages(topic: "events") { id } }`]) {
      expect(errorCode(await gqlWith(SETTINGS, query, { token })), query).toBe("FORBIDDEN");
    }
  });

  it("run no other mutation and no admin operation", async () => {
    const token = await userToken(newUser());
    expect(errorCode(await gqlWith(SETTINGS, `mutation { createCategory(input: { name: "By a user" }) { id } }`, { token }))).toBe("FORBIDDEN");
    expect(errorCode(await gqlWith(SETTINGS, `mutation { resumeProjection(input: { name: "categories" }) { name } }`, { token }))).toBe("FORBIDDEN");
    expect(errorCode(await gqlWith(SETTINGS, `{ deadLetters { projection } }`, { token }))).toBe("FORBIDDEN");
  });

  it("are UNAUTHENTICATED when expired, without exp or sub, or signed with another secret or algorithm; order reads need a token", async () => {
    const user = newUser();
    const [header] = (await userToken(user)).split(".");
    const unsigned = `${btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "")}.${btoa(JSON.stringify({ sub: user })).replace(/=+$/, "")}.`;
    const bad = [
      await userToken(user, { exp: Math.floor(Date.now() / 1000) - 10 }),
      await userToken(user, {}, "another-secret"),
      await sign({ sub: user, exp: hour() }, SETTINGS.JWT_SECRET, "HS512"),
      await sign({ exp: hour() }, SETTINGS.JWT_SECRET, "HS256"),
      await sign({ sub: user }, SETTINGS.JWT_SECRET, "HS256"),
      unsigned,
      `${header}.not-a-payload.sig`,
    ];
    for (const token of bad) {
      const result = await gqlWith(SETTINGS, USER_ORDERS, { token, variables: { u: user } });
      expect(errorCode(result), token).toBe("UNAUTHENTICATED");
      expect(result.data ?? null).toBeNull();
    }
    expect(errorCode(await gqlWith(SETTINGS, USER_ORDERS, { variables: { u: user } }))).toBe("UNAUTHENTICATED");
    // Public reads stay open.
    expect((await gqlWith(SETTINGS, `{ categories(limit: 1) { id } }`)).errors).toBeUndefined();
  });
});

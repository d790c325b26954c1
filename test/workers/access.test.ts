// Token mode, driven through the Hono app with a modified env: the pool
// itself runs open so the rest of the suite needs no tokens.
import { describe, expect, it } from "vitest";
import { errorCode, gqlWith, type GraphQLResponse } from "./support.ts";

const TOKENS = { AUTH_MODE: "token", API_TOKEN: "api-secret", ADMIN_TOKEN: "admin-secret" };

const gqlAs = (settings: Record<string, string>, query: string, token?: string): Promise<GraphQLResponse> => gqlWith(settings, query, { token });

const uniqueName = () => `access-${crypto.randomUUID()}`;
const create = (name: string) => `mutation { createCategory(input: { name: "${name}" }) { id name } }`;
const existing = async (name: string) => {
  const { withDb } = await import("./support.ts");
  return withDb(async (db) => (await db.query("SELECT count(*)::int AS n FROM command.categories WHERE name = $1", [name])).rows[0].n as number);
};
const resume = `mutation { resumeProjection(input: { name: "categories" }) { name } }`;

describe("access control in token mode", () => {
  it("refuses a mutation without a token and writes nothing", async () => {
    const name = uniqueName();
    const result = await gqlAs(TOKENS, create(name));
    expect(errorCode(result)).toBe("UNAUTHENTICATED");
    expect(result.data ?? null).toBeNull();
    expect(await existing(name)).toBe(0);
  });

  it("refuses a wrong token and writes nothing", async () => {
    const name = uniqueName();
    expect(errorCode(await gqlAs(TOKENS, create(name), "guess"))).toBe("UNAUTHENTICATED");
    expect(await existing(name)).toBe(0);
  });

  it("lets the API token mutate but not run admin operations", async () => {
    const name = uniqueName();
    const created = await gqlAs(TOKENS, create(name), TOKENS.API_TOKEN);
    expect(created.errors).toBeUndefined();
    expect(await existing(name)).toBe(1);
    expect(errorCode(await gqlAs(TOKENS, resume, TOKENS.API_TOKEN))).toBe("FORBIDDEN");
    expect(errorCode(await gqlAs(TOKENS, `{ deadLetters { projection } }`, TOKENS.API_TOKEN))).toBe("FORBIDDEN");
    // An admin field behind a fragment at the root is still an admin field.
    expect(errorCode(await gqlAs(TOKENS, `{ ...F } fragment F on Query { ... on Query { deadLetters { projection } } }`))).toBe("UNAUTHENTICATED");
  });

  it("lets the admin token mutate and run admin operations", async () => {
    const name = uniqueName();
    expect((await gqlAs(TOKENS, create(name), TOKENS.ADMIN_TOKEN)).errors).toBeUndefined();
    expect((await gqlAs(TOKENS, resume, TOKENS.ADMIN_TOKEN)).errors).toBeUndefined();
  });

  it("refuses mutations when no tokens are configured, unless explicitly open", async () => {
    const name = uniqueName();
    const refused = await gqlAs({ AUTH_MODE: "token" }, create(name), "anything");
    expect(errorCode(refused)).toBe("FORBIDDEN");
    expect(refused.errors?.[0]?.message).toMatch(/API_TOKEN/);
    const unset = await gqlAs({ AUTH_MODE: "" }, create(name));
    expect(errorCode(unset)).toBe("FORBIDDEN");
    expect(await existing(name)).toBe(0);
  });

  it("keeps the execution logs and /metrics to the admin token", async () => {
    expect(errorCode(await gqlAs(TOKENS, `{ commandExecutions { name } }`, TOKENS.API_TOKEN))).toBe("FORBIDDEN");
    expect((await gqlAs(TOKENS, `{ queryExecutions { name } }`, TOKENS.ADMIN_TOKEN)).errors).toBeUndefined();
    const metrics = async (token?: string) => {
      const { env } = await import("cloudflare:workers");
      const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
      const { createApp } = await import("../../src/http/app.ts");
      const ctx = createExecutionContext();
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const response = await createApp().fetch(new Request("http://test.local/metrics", { headers }), { ...env, ...TOKENS } as unknown as Env, ctx);
      await response.text();
      await waitOnExecutionContext(ctx);
      return response.status;
    };
    expect(await metrics()).toBe(401);
    expect(await metrics(TOKENS.API_TOKEN)).toBe(403);
    expect(await metrics(TOKENS.ADMIN_TOKEN)).toBe(200);
  });

  it("keeps public reads open", async () => {
    const result = await gqlAs(TOKENS, `{ categories { id } }`);
    expect(result.errors).toBeUndefined();
  });

  it("keeps the event log, sagas and pub/sub messages to the API and admin tokens: they carry every order's data", async () => {
    const logReads = [
      `{ events(limit: 1) { id } }`,
      `{ recentEvents(limit: 1) { id } }`,
      `{ sagas(limit: 1) { id } }`,
      `{ pubsubMessages(limit: 1) { id } }`,
      `{ aggregateHistory(aggregateType: "order", id: "${crypto.randomUUID()}") { id } }`,
      // Behind a fragment at the root, next to a public read.
      `query { categories(limit: 1) { id } ...Log } fragment Log on Query { saga(id: "${crypto.randomUUID()}") { id } }`,
    ];
    for (const query of logReads) {
      expect(errorCode(await gqlAs(TOKENS, query)), query).toBe("UNAUTHENTICATED");
      // Let through: answered, or NOT_FOUND for the random ids.
      for (const token of [TOKENS.API_TOKEN, TOKENS.ADMIN_TOKEN]) expect(["UNAUTHENTICATED", "FORBIDDEN"], query).not.toContain(errorCode(await gqlAs(TOKENS, query, token)));
    }
  });
});

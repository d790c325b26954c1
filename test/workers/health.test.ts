import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("the Worker", () => {
  it("/health reaches Postgres through the proxy", async () => {
    const response = await exports.default.fetch("http://example.com/health");
    const body = await response.json<{ status: string; postgres: { ok: boolean; latencyMs: number } }>();
    expect(body.postgres).toMatchObject({ ok: true });
    expect(response.status).toBe(200);
    expect(body.status).toBe("ok");
  });

  it("answers the GraphQL health query", async () => {
    const response = await exports.default.fetch("http://example.com/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ health { status postgres { ok } } }" }),
    });
    expect(await response.json()).toEqual({ data: { health: { status: "ok", postgres: { ok: true } } } });
  });

  it("serves GraphiQL on GET /graphql, loading nothing from another origin", async () => {
    const response = await exports.default.fetch("http://example.com/graphql", { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain("GraphiQL");
    expect(page).toContain('src=/graphiql/yoga-graphiql.umd.js');
    expect(page).not.toMatch(/https?:\/\//);
  });
});

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

  // Other files' sagas and consumers share this database, so the status may be
  // degraded for a reason of theirs; whatever it is, the report names it.
  it("answers the GraphQL health query, every part reachable and the status explained by the parts", async () => {
    const response = await exports.default.fetch("http://example.com/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ health { status postgres { ok } schemas { ok } broadcasters { ok } projections { status msBehind } sagas { stalled } } }" }),
    });
    const { health } = ((await response.json()) as { data: { health: any } }).data;
    expect(health.postgres.ok).toBe(true);
    expect(health.schemas.length).toBe(3);
    expect(health.schemas.every((schema: { ok: boolean }) => schema.ok)).toBe(true);
    expect(health.broadcasters.every((shard: { ok: boolean }) => shard.ok)).toBe(true);
    const unwell = (p: { status: string; msBehind: number }) => !["running", "catching_up", "rebuilding"].includes(p.status) || p.msBehind >= 60_000;
    expect(health.status).toBe(health.projections.some(unwell) || health.sagas.stalled > 0 ? "degraded" : "ok");
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

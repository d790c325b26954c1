import { describe, expect, it } from "vitest";
import { CONSUMER_NAMES } from "../../src/consumers/registry.ts";
import { gqlData } from "../workers/support.ts";
import { acknowledged } from "../workers/socket-client.ts";

const HEALTH = `{ health { status postgres { ok } time
  schemas { schema ok latencyMs error }
  projections { name status eventsBehind msBehind }
  sagas { active stalled oldestActiveAgeMs }
  broadcasters { shard ok latencyMs error sockets } } }`;

type Health = {
  status: string;
  schemas: { schema: string; ok: boolean }[];
  projections: { name: string; status: string; msBehind: number }[];
  sagas: { active: number; stalled: number } | null;
  broadcasters: { shard: string; ok: boolean; sockets: number }[];
};
const health = async () => (await gqlData(HEALTH)).health as Health;

/** What the status must say, from the parts (earlier test files may leave a saga stalled on purpose). */
function expectedStatus(report: Health): string {
  const healthy =
    report.schemas.every((s) => s.ok) &&
    report.broadcasters.every((b) => b.ok) &&
    report.projections.every((p) => ["running", "catching_up", "rebuilding"].includes(p.status) && p.msBehind < 60_000) &&
    report.sagas?.stalled === 0;
  return healthy ? "ok" : "degraded";
}

describe("the health query", () => {
  it("covers every Postgres schema, every consumer of the log, the saga backlog and every broadcaster shard", async () => {
    const client = await acknowledged();
    const report = await health();
    expect(report.status, JSON.stringify(report)).toBe(expectedStatus(report));
    expect(report.schemas).toEqual(["event_store", "command", "query"].map((schema) => expect.objectContaining({ schema, ok: true })));
    expect(report.projections.map((p) => p.name)).toEqual([...CONSUMER_NAMES]);
    expect(report.sagas).toMatchObject({ active: expect.any(Number), stalled: expect.any(Number) });
    expect(report.broadcasters.map((b) => b.shard)).toEqual(["shard-0", "shard-1"]);
    expect(report.broadcasters.every((b) => b.ok)).toBe(true);
    expect(report.broadcasters.reduce((sum, b) => sum + b.sockets, 0)).toBeGreaterThanOrEqual(1);
    client.socket.close(1000);
  });

  it("is degraded while a consumer is stopped, and ok again once it runs", async () => {
    await gqlData(`mutation { stopProjection(input: { name: "categories" }) { status } }`);
    try {
      const report = await health();
      expect(report.status).toBe("degraded");
      expect(report.projections.find((p) => p.name === "categories")).toMatchObject({ status: "stopped" });
    } finally {
      await gqlData(`mutation { resumeProjection(input: { name: "categories" }) { status } }`);
    }
    const after = await health();
    expect(after.projections.find((p) => p.name === "categories")!.status).not.toBe("stopped");
    expect(after.status, JSON.stringify(after)).toBe(expectedStatus(after));
  });
});

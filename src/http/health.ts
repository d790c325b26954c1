import type { Queryable } from "../event-store/index.ts";

export interface HealthReport {
  status: "ok" | "degraded";
  postgres: { ok: boolean; latencyMs: number | null; error: string | null };
  time: string;
}

export async function checkHealth(connect: () => Promise<Queryable>): Promise<HealthReport> {
  const started = Date.now();
  try {
    const db = await connect();
    await db.query("SELECT 1 FROM event_store.events LIMIT 1");
    return report(true, Date.now() - started, null);
  } catch (error) {
    return report(false, null, error instanceof Error ? error.message : String(error));
  }
}

function report(ok: boolean, latencyMs: number | null, error: string | null): HealthReport {
  return { status: ok ? "ok" : "degraded", postgres: { ok, latencyMs, error }, time: new Date().toISOString() };
}

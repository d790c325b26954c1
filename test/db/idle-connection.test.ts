import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { IdleConnection } from "../../src/db/idle-connection.ts";
import { testPool } from "../support/database.ts";

const settings = () => ({ url: inject("databaseUrl"), proxy: inject("databaseProxy") });
const observer = testPool(1);
afterAll(() => observer.end());

async function backendAlive(pid: number): Promise<boolean> {
  const { rows } = await observer.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid]);
  return rows.length > 0;
}

async function backendPid(db: Awaited<ReturnType<IdleConnection["get"]>>): Promise<number> {
  const { rows } = await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  return rows[0]!.pid;
}

describe("IdleConnection", () => {
  it("never closes a connection while a query is in flight, however long it runs", async () => {
    const connection = new IdleConnection(settings, 100);
    const db = await connection.get();
    const pid = await backendPid(db);
    // Five idle periods long: the old timer, restarted only on get(), closed the socket mid-statement.
    await expect(db.query("SELECT pg_sleep(0.5)")).resolves.toBeDefined();
    expect(await backendPid(db)).toBe(pid);
    await connection.close();
  });

  it("stays open while queries keep coming, each one moving the idle deadline", async () => {
    const connection = new IdleConnection(settings, 150);
    const db = await connection.get();
    const pid = await backendPid(db);
    // Four idle periods of steady use, a query every 50 ms: never idle for 150 ms.
    for (const started = Date.now(); Date.now() - started < 600; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await backendPid(db)).toBe(pid);
    }
    await connection.close();
  });

  it("closes after the idle time once nothing is in flight, and reconnects on the next use", async () => {
    const connection = new IdleConnection(settings, 100);
    const pid = await backendPid(await connection.get());
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expect.poll(() => backendAlive(pid), { timeout: 2_000 }).toBe(false);
    const next = await backendPid(await connection.get());
    expect(next).not.toBe(pid);
    await connection.close();
  });

  it("stays open while it is used more often than the idle time", async () => {
    const connection = new IdleConnection(settings, 200);
    const pid = await backendPid(await connection.get());
    // Four idle periods in all, a query every half period: never idle for a whole one.
    for (let i = 0; i < 8; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await backendPid(await connection.get())).toBe(pid);
    }
    await connection.close();
  });
});

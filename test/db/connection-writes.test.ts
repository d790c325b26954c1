// The driver sends a query's messages (Parse, Bind, Describe, Execute, Sync)
// as one WebSocket message, gathered in a microtask rather than behind a
// setTimeout(0) per query, which costs CPU in workerd (src/db/connection.ts).
import { afterAll, expect, inject, it, vi } from "vitest";
import { connectClient } from "../../src/db/connection.ts";

const client = await connectClient({ url: inject("databaseUrl"), proxy: inject("databaseProxy") });
afterAll(() => client.end());

it("sends a query as one WebSocket message, without a timer", async () => {
  const socket = (client as unknown as { connection: { stream: { ws: { send(data: Uint8Array): void } } } }).connection.stream.ws;
  const send = vi.spyOn(socket, "send");
  const timers = vi.spyOn(globalThis, "setTimeout");
  try {
    const { rows } = await client.query<{ n: number }>("SELECT $1::int + 1 AS n", [41]);
    expect(rows).toEqual([{ n: 42 }]);
    expect(send).toHaveBeenCalledTimes(1);
    expect(timers).not.toHaveBeenCalled();
  } finally {
    send.mockRestore();
    timers.mockRestore();
  }
});

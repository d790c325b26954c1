import { createServer, type Socket } from "node:net";
import { afterAll, describe, expect, inject, it } from "vitest";
import { connectClient } from "../../src/db/connection.ts";

/** A TCP server that accepts connections and never answers, as a stuck proxy or hop would. */
const accepted: Socket[] = [];
const silent = createServer((socket) => void accepted.push(socket));
const port = await new Promise<number>((resolve) => silent.listen(0, "127.0.0.1", () => resolve((silent.address() as { port: number }).port)));
afterAll(async () => {
  for (const socket of accepted) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

describe("connectClient", () => {
  it("fails a connect that never completes after its timeout, instead of waiting for good", async () => {
    const started = Date.now();
    // The driver's WebSocket goes to the silent server: its handshake never completes.
    const connecting = connectClient({ url: inject("databaseUrl"), proxy: `127.0.0.1:${port}`, connectTimeoutMs: 300 });
    await expect(connecting).rejects.toThrow();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(accepted.length).toBe(1);
  }, 5_000);
});

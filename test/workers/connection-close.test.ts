import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { connectClient } from "../../src/db/connection.ts";
import { databaseSettings } from "../../src/db/worker-connection.ts";

/** Every send that workerd refused, while `work` runs and until the timers after it ran. */
async function refusedSends(work: () => Promise<void>): Promise<string[]> {
  const refused: string[] = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, ...args: Parameters<WebSocket["send"]>) {
    try {
      return send.apply(this, args);
    } catch (error) {
      refused.push(String(error));
      throw error;
    }
  };
  try {
    await work();
    // The driver sends what it writes in a microtask: let those (and any timer) run.
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    WebSocket.prototype.send = send;
  }
  return refused;
}

describe("a Postgres connection whose socket closes under it, in workerd", () => {
  it("fails the query it was writing, and sends nothing on the closed socket", async () => {
    const refused = await refusedSends(async () => {
      const client = await connectClient(databaseSettings(env));
      const socket = (client as unknown as { connection: { stream: { ws: WebSocket } } }).connection.stream.ws;
      // The query's bytes wait for the driver's microtask; the socket closes first, as when
      // Postgres ends the session or the runtime drops the connection.
      const query = client.query("SELECT 1");
      socket.close();
      await expect(query).rejects.toThrow();
    });
    expect(refused).toEqual([]);
  });

  it("still answers on a connection that stays open", async () => {
    const refused = await refusedSends(async () => {
      const client = await connectClient(databaseSettings(env));
      expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      await client.end();
    });
    expect(refused).toEqual([]);
  });
});

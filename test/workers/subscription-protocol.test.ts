import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { acknowledged, open } from "./socket-client.ts";

// graphql-transport-ws as a stock client sees it, through the Worker's real
// routing to a real broadcaster shard: each protocol mistake gets its close code.

const eventStream = { query: "subscription { eventStream(aggregateType: \"category\") { id eventType } }" };

describe("the subscription socket (graphql-transport-ws)", () => {
  it("acknowledges connection_init (naming the shard) and answers pings on /graphql and /socket", async () => {
    for (const path of ["/graphql", "/socket"]) {
      const client = await open(path);
      client.send({ type: "connection_init" });
      expect(await client.next()).toEqual({ type: "connection_ack", payload: { shard: expect.stringMatching(/^shard-[01]$/) } });
      client.send({ type: "ping" });
      expect(await client.next()).toEqual({ type: "pong" });
      client.socket.close(1000, "done");
    }
  });

  it("refuses an upgrade without the graphql-transport-ws subprotocol", async () => {
    const response = await exports.default.fetch("http://test.local/graphql", { headers: { Upgrade: "websocket" } });
    expect(response.status).toBe(426);
    expect(response.webSocket).toBeNull();
  });

  it("closes with 4400 on a message that is not graphql-transport-ws", async () => {
    for (const bad of ["not json", { type: "nonsense" }, { type: "subscribe", id: "1" }]) {
      const client = await open();
      client.send(bad);
      expect((await client.closed).code).toBe(4400);
    }
  });

  it("closes with 4400 when a client sends a server-only message", async () => {
    const client = await acknowledged();
    client.send({ type: "next", id: "1", payload: { data: {} } });
    expect((await client.closed).code).toBe(4400);
  });

  it("closes with 4401 on subscribe before connection_init", async () => {
    const client = await open();
    client.send({ type: "subscribe", id: "1", payload: eventStream });
    expect((await client.closed).code).toBe(4401);
  });

  it("closes with 4429 on a second connection_init", async () => {
    const client = await acknowledged();
    client.send({ type: "connection_init" });
    expect((await client.closed).code).toBe(4429);
  });

  it("closes with 4409 when a subscription id is already in use, and frees it on complete", async () => {
    const client = await acknowledged();
    client.send({ type: "subscribe", id: "a", payload: eventStream });
    client.send({ type: "complete", id: "a" });
    client.send({ type: "subscribe", id: "a", payload: eventStream });
    // The socket is still open after reusing a completed id.
    client.send({ type: "ping" });
    expect(await client.next()).toEqual({ type: "pong" });
    client.send({ type: "subscribe", id: "a", payload: eventStream });
    expect((await client.closed).code).toBe(4409);
  });

  it("closes with 4408 when connection_init does not come in time", async () => {
    const client = await open();
    // BROADCASTER_INIT_TIMEOUT_MS is 3000 in wrangler.toml.
    const started = Date.now();
    expect((await client.closed).code).toBe(4408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  });

  it("answers an invalid document with an error message and keeps the socket", async () => {
    const client = await acknowledged();
    client.send({ type: "subscribe", id: "unknown-field", payload: { query: "subscription { eventStream { nope } }" } });
    const unknownField = await client.next();
    expect(unknownField).toMatchObject({ type: "error", id: "unknown-field" });
    expect(JSON.stringify(unknownField["payload"])).toContain("nope");

    client.send({ type: "subscribe", id: "bad-arg", payload: { query: "subscription { eventStream(aggregateType: 3) { id } }" } });
    expect(await client.next()).toMatchObject({ type: "error", id: "bad-arg" });

    client.send({ type: "subscribe", id: "syntax", payload: { query: "subscription {" } });
    expect(await client.next()).toMatchObject({ type: "error", id: "syntax" });

    client.send({ type: "subscribe", id: "query", payload: { query: "{ health { status } }" } });
    const query = await client.next();
    expect(query).toMatchObject({ type: "error", id: "query" });
    expect(JSON.stringify(query["payload"])).toContain("over HTTP");

    client.send({ type: "ping" });
    expect(await client.next()).toEqual({ type: "pong" });
    client.socket.close(1000, "done");
  });
});

import { exports } from "cloudflare:workers";
import { expect } from "vitest";

// A graphql-transport-ws client socket opened through the Worker's real routing.

export type OpenSocket = {
  socket: WebSocket;
  send(message: unknown): void;
  /** The next message the server sends. */
  next(): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
};

/** Through the Worker's routing (a random shard), or straight to one shard's Durable Object. */
type Shard = { fetch(request: Request): Promise<Response> };
type SocketOptions = { answerPings?: boolean };

export async function open(path = "/graphql", shard?: Shard, options: SocketOptions = { answerPings: true }): Promise<OpenSocket> {
  const request = new Request(`http://test.local${path}`, {
    headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": "graphql-transport-ws" },
  });
  const response = await (shard ? shard.fetch(request) : exports.default.fetch(request));
  expect(response.status).toBe(101);
  expect(response.headers.get("Sec-WebSocket-Protocol")).toBe("graphql-transport-ws");
  const socket = response.webSocket;
  if (!socket) throw new Error("no WebSocket in the 101 response");
  socket.accept();
  const inbox: Record<string, unknown>[] = [];
  const waiting: ((message: Record<string, unknown>) => void)[] = [];
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as Record<string, unknown>;
    // As graphql-ws clients do: the broadcaster's pings measure how far behind a client is.
    if (options.answerPings && message["type"] === "ping") return socket.send(JSON.stringify({ type: "pong", payload: message["payload"] }));
    const resolve = waiting.shift();
    if (resolve) resolve(message);
    else inbox.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason })),
  );
  return {
    socket,
    send: (message) => socket.send(typeof message === "string" ? message : JSON.stringify(message)),
    next: () => {
      const message = inbox.shift();
      return message ? Promise.resolve(message) : new Promise((resolve) => waiting.push(resolve));
    },
    closed,
  };
}

export async function acknowledged(path?: string, shard?: Shard, options?: SocketOptions): Promise<OpenSocket> {
  const client = await open(path, shard, options);
  client.send({ type: "connection_init", payload: { authorization: "Bearer anything" } });
  expect(await client.next()).toMatchObject({ type: "connection_ack" });
  return client;
}


/**
 * Subscribes, and returns what came before the answer to an invalid subscribe
 * sent right after: frames are handled in order, so that is the replay. (A
 * ping proves nothing: the runtime answers it without the Durable Object.)
 */
export async function subscribe(client: OpenSocket, id: string, payload: unknown): Promise<Record<string, unknown>[]> {
  const barrier = `barrier-${crypto.randomUUID()}`;
  client.send({ type: "subscribe", id, payload });
  client.send({ type: "subscribe", id: barrier, payload: { query: "subscription { nope }" } });
  const before: Record<string, unknown>[] = [];
  for (let message = await client.next(); message["id"] !== barrier; message = await client.next()) before.push(message);
  return before;
}

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

export async function open(path = "/graphql"): Promise<OpenSocket> {
  const response = await exports.default.fetch(`http://test.local${path}`, {
    headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": "graphql-transport-ws" },
  });
  expect(response.status).toBe(101);
  expect(response.headers.get("Sec-WebSocket-Protocol")).toBe("graphql-transport-ws");
  const socket = response.webSocket;
  if (!socket) throw new Error("no WebSocket in the 101 response");
  socket.accept();
  const inbox: Record<string, unknown>[] = [];
  const waiting: ((message: Record<string, unknown>) => void)[] = [];
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as Record<string, unknown>;
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

export async function acknowledged(path?: string): Promise<OpenSocket> {
  const client = await open(path);
  client.send({ type: "connection_init", payload: { authorization: "Bearer anything" } });
  expect(await client.next()).toEqual({ type: "connection_ack" });
  return client;
}


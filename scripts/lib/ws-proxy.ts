// The WebSocket-to-TCP bridge that lets @neondatabase/serverless (which only
// speaks Postgres over WebSocket) reach a plain local Postgres. Production talks
// to Neon's own WebSocket endpoint and never uses this.
import { createConnection } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

export interface WsProxy {
  port: number;
  close(): Promise<void>;
}

export interface WsProxyOptions {
  port?: number;
  host?: string;
  /** Only these Postgres targets ("host:port") may be reached through the proxy. */
  allowedTargets: string[];
}

export async function startWsProxy(options: WsProxyOptions): Promise<WsProxy> {
  const server = new WebSocketServer({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" });
  const allowed = new Set(options.allowedTargets.map(normalizeTarget));

  server.on("connection", (socket, request) => {
    const target = new URL(request.url ?? "/", "ws://proxy").searchParams.get("address");
    if (!target || !allowed.has(normalizeTarget(target))) {
      socket.close(1008, "target not allowed");
      return;
    }
    bridge(socket, target);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}

function bridge(socket: WebSocket, target: string): void {
  const [host, port] = splitTarget(target);
  const tcp = createConnection({ host, port, noDelay: true });
  const pending: Buffer[] = [];
  let connected = false;

  tcp.on("connect", () => {
    connected = true;
    for (const chunk of pending.splice(0)) tcp.write(chunk);
  });
  tcp.on("data", (chunk) => {
    if (socket.readyState === socket.OPEN) socket.send(chunk);
  });
  tcp.on("close", () => socket.close());
  tcp.on("error", () => socket.terminate());

  socket.on("message", (data) => {
    const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (connected) tcp.write(chunk);
    else pending.push(chunk);
  });
  socket.on("close", () => tcp.destroy());
  socket.on("error", () => tcp.destroy());
}

function splitTarget(target: string): [string, number] {
  const index = target.lastIndexOf(":");
  return [target.slice(0, index), Number(target.slice(index + 1))];
}

function normalizeTarget(target: string): string {
  const [host, port] = splitTarget(target);
  return `${host === "localhost" ? "127.0.0.1" : host}:${port}`;
}

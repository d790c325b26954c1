// One way to reach Postgres from every runtime (workerd, Node scripts, tests):
// @neondatabase/serverless over WebSocket. Locally the WebSocket goes through
// the proxy in scripts/lib/ws-proxy.ts; in production straight to Neon.
import { Client, Pool, neonConfig } from "@neondatabase/serverless";

export interface DatabaseSettings {
  /** postgres:// connection string */
  url: string;
  /** "host:port" of the local WebSocket-to-TCP proxy; unset in production */
  proxy?: string;
}

let configuredProxy: string | undefined | null = null;

function configure(proxy: string | undefined): void {
  if (configuredProxy === proxy) return;
  configuredProxy = proxy;
  // SCRAM (embedded Postgres and Neon) does not work with a pipelined connect.
  neonConfig.pipelineConnect = false;
  if (proxy) {
    neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
  }
}

/** A single connection, for code that keeps one warm (Durable Objects, scripts). */
export async function connectClient(settings: DatabaseSettings): Promise<Client> {
  configure(settings.proxy);
  const client = new Client(settings.url);
  // A dropped socket also fails the query in flight; without a listener the
  // 'error' event would crash the isolate instead.
  client.on("error", () => undefined);
  await client.connect();
  sendOnlyWhileOpen(client);
  return client;
}

/**
 * The driver sends what pg writes on a zero-delay timer, so a write can reach
 * a WebSocket that closed in between (Postgres ended the session, the proxy or
 * the runtime dropped it). Browsers and Node ignore such a send; workerd
 * throws, from the timer: an uncaught "Can't call WebSocket send() after
 * close()" in the Durable Object's log. Nothing can be sent on a closed
 * socket, and pg fails the query on the close anyway, so the send is dropped.
 */
function sendOnlyWhileOpen(client: Client): void {
  const socket = (client as unknown as { connection: { stream: { ws?: WebSocket } } }).connection.stream.ws;
  if (!socket || typeof WebSocket === "undefined") return;
  const send = socket.send.bind(socket);
  socket.send = (data) => {
    if (socket.readyState === WebSocket.OPEN) send(data);
  };
}

/** A pool, for Node-side code with concurrent work (tests, benchmarks, scripts). */
export function createPool(settings: DatabaseSettings, max = 10): Pool {
  configure(settings.proxy);
  return new Pool({ connectionString: settings.url, max });
}

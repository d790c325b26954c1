// One way to reach Postgres from every runtime (workerd, Node scripts, tests):
// @neondatabase/serverless over WebSocket. Locally the WebSocket goes through
// the proxy in scripts/lib/ws-proxy.ts; in production straight to Neon.
import { Client, Pool, neonConfig } from "@neondatabase/serverless";

export interface DatabaseSettings {
  /** postgres:// connection string */
  url: string;
  /** "host:port" of the local WebSocket-to-TCP proxy; unset in production */
  proxy?: string;
  /** How long a connect may take before it fails; default CONNECT_TIMEOUT_MS. */
  connectTimeoutMs?: number;
}

/**
 * A connect that never completes (a server that accepts and stays silent, a
 * proxy stuck halfway) would otherwise hang its caller for good: a consumer's
 * pass waiting on it never ends, and every later wake-up joins it.
 */
const CONNECT_TIMEOUT_MS = 10_000;

let configuredProxy: string | undefined | null = null;

function configure(proxy: string | undefined): void {
  if (configuredProxy === proxy) return;
  configuredProxy = proxy;
  coalesceWritesInMicrotasks();
  // SCRAM (embedded Postgres and Neon) does not work with a pipelined connect.
  neonConfig.pipelineConnect = false;
  if (proxy) {
    neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
  }
}

/** The driver's socket, as far as its write path goes (not in its typings; the version is pinned). */
interface DriverSocket {
  ws?: { readyState: number; send(data: Uint8Array): void };
  coalesceWrites: boolean;
  rawWrite(data: Uint8Array): void;
}

const pendingWrites = new WeakMap<DriverSocket, Uint8Array[]>();

/** WebSocket.OPEN, the same in workerd, browsers and Node. */
const OPEN = 1;

/**
 * node-postgres writes a query as several small messages in one synchronous
 * run; with `coalesceWrites` the driver sends them as one WebSocket message,
 * gathered behind a `setTimeout(0)` per query. In workerd a timer is dear:
 * about 4.5% of a write's CPU in the profile (docs/BENCHMARKS.md, "Writes:
 * where a write's CPU goes"). A microtask gathers the same messages.
 *
 * The gathered write can find its WebSocket closed (Postgres ended the
 * session, the proxy or the runtime dropped it). Browsers and Node ignore
 * such a send; workerd throws, uncaught: "Can't call WebSocket send() after
 * close()" in the Durable Object's log. Nothing can be sent on a closed
 * socket, and pg fails the query on the close anyway, so the send is dropped.
 */
function coalesceWritesInMicrotasks(): void {
  const socket = (neonConfig as unknown as { prototype: DriverSocket & { microtaskWrites?: true } }).prototype;
  if (socket.microtaskWrites) return;
  socket.microtaskWrites = true;
  const original = socket.rawWrite;
  socket.rawWrite = function (this: DriverSocket, data: Uint8Array) {
    if (!this.coalesceWrites) return original.call(this, data);
    const pending = pendingWrites.get(this);
    if (pending) {
      pending.push(data);
      return;
    }
    pendingWrites.set(this, [data]);
    queueMicrotask(() => {
      const chunks = pendingWrites.get(this)!;
      pendingWrites.delete(this);
      if (this.ws?.readyState === OPEN) this.ws.send(chunks.length === 1 ? chunks[0]! : concat(chunks));
    });
  };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(chunks.reduce((length, chunk) => length + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

/** A single connection, for code that keeps one warm (Durable Objects, scripts). */
export async function connectClient(settings: DatabaseSettings): Promise<Client> {
  configure(settings.proxy);
  const client = new Client({ connectionString: settings.url, connectionTimeoutMillis: settings.connectTimeoutMs ?? CONNECT_TIMEOUT_MS });
  // A dropped socket also fails the query in flight; without a listener the
  // 'error' event would crash the isolate instead.
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** A pool, for Node-side code with concurrent work (tests, benchmarks, scripts). */
export function createPool(settings: DatabaseSettings, max = 10): Pool {
  configure(settings.proxy);
  return new Pool({ connectionString: settings.url, max });
}

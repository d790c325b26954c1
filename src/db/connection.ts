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
  return client;
}

/** A pool, for Node-side code with concurrent work (tests, benchmarks, scripts). */
export function createPool(settings: DatabaseSettings, max = 10): Pool {
  configure(settings.proxy);
  return new Pool({ connectionString: settings.url, max });
}

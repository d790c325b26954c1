import { exports } from "cloudflare:workers";

export interface GraphQLResponse<Data = Record<string, any>> {
  data?: Data;
  errors?: { message: string; extensions?: { code?: string; details?: Record<string, unknown> } }[];
  extensions?: { position?: string; replayed?: boolean };
}

/** Sends one GraphQL request to the Worker under test. */
export async function gql<Data = Record<string, any>>(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<Data>> {
  const response = await exports.default.fetch("http://test.local/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

/**
 * Sends one GraphQL request through the Hono app with settings over the
 * pool's env (the pool runs open; token mode is tested this way). Queries
 * stay in the Worker: a ReaderDO would have the pool's env, not this one.
 */
export async function gqlWith<Data = Record<string, any>>(
  settings: Record<string, string>,
  query: string,
  options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<Data> & { status: number; headers: Headers }> {
  const { env } = await import("cloudflare:workers");
  const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
  const { createApp } = await import("../../src/http/app.ts");
  const ctx = createExecutionContext();
  const request = new Request("http://test.local/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  const response = await createApp().fetch(request, { ...env, GRAPHQL_READERS: "0", ...settings } as unknown as Env, ctx);
  await waitOnExecutionContext(ctx);
  return { ...((await response.json()) as GraphQLResponse<Data>), status: response.status, headers: response.headers };
}

/** Like gql, but fails on any error and returns data. */
export async function gqlData<Data = Record<string, any>>(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Data & { position?: string }> {
  const result = await gql<Data>(query, variables, headers);
  if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return { ...(result.data as Data), position: result.extensions?.position };
}

export function errorCode(result: GraphQLResponse): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

/** Runs `work` with a Postgres connection from inside the Workers runtime. */
export async function withDb<T>(work: (db: import("@neondatabase/serverless").Client) => Promise<T>): Promise<T> {
  const { env } = await import("cloudflare:workers");
  const { connectClient } = await import("../../src/db/connection.ts");
  const db = await connectClient({ url: env.DATABASE_URL, proxy: env.DB_PROXY });
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A hold on a stream's next version: a command on that aggregate is decided
 * (its context looked up) and then waits in its append, so a test can commit
 * another command in the gap that a rule re-checked at append exists for.
 * The hold is an uncommitted event at the version the append will insert: the
 * append waits on UNIQUE (aggregate_id, event_version) for the holding
 * transaction, which rolls back at the end, and then goes on.
 */
export interface StreamLock {
  /** Waits until a connection is queued behind the hold and returns its backend pid (null once `stop()` says so). */
  waiter(stop?: () => boolean): Promise<number | null>;
  /** Breaks the connection of a queued appender, as a network failure would. */
  terminate(pid: number): Promise<void>;
}

/** Runs `work` while appends to `streamId` wait; they go on when it returns. */
export async function whileStreamLocked<T>(streamId: string, work: (lock: StreamLock) => Promise<T>): Promise<T> {
  return withDb(async (db) => {
    await db.query("BEGIN");
    try {
      await db.query(
        `INSERT INTO event_store.events (aggregate_id, aggregate_type, event_type, event_data, event_version)
         SELECT $1, 'held', 'held', '{}', coalesce(max(event_version), 0) + 1 FROM event_store.events WHERE aggregate_id = $1`,
        [streamId],
      );
      return await work({
        async waiter(stop = () => false) {
          for (let tries = 0; tries < 500 && !stop(); tries++) {
            const { rows } = await db.query<{ pid: number }>(
              "SELECT pid FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted AND transactionid = xid(pg_current_xact_id())",
            );
            if (rows[0]) return rows[0].pid;
            await sleep(10);
          }
          if (stop()) return null;
          throw new Error(`no append queued behind the hold on ${streamId}`);
        },
        async terminate(pid) {
          await db.query("SELECT pg_terminate_backend($1)", [pid]);
        },
      });
    } finally {
      await db.query("ROLLBACK"); // the held version is free again
    }
  });
}

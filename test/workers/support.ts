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

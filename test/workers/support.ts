import { exports } from "cloudflare:workers";

export interface GraphQLResponse<Data = Record<string, any>> {
  data?: Data;
  errors?: { message: string; extensions?: { code?: string; details?: Record<string, unknown> } }[];
  extensions?: { position?: string };
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

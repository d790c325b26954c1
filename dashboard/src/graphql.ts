// GraphQL over HTTP, the same public endpoint any client uses. The token (API
// or admin) lives in sessionStorage: it survives a reload, not the tab.
const TOKEN_KEY = "edge-cqrs.token";

export function readToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

export function saveToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function authorization(): string | undefined {
  const token = readToken().trim();
  return token ? `Bearer ${token}` : undefined;
}

/** A GraphQL error answer, with its extensions.code (or HTTP_<status> / NETWORK). */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

interface Answer<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export async function request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };
  const auth = authorization();
  if (auth) headers.authorization = auth;
  let response: Response;
  try {
    response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch (error) {
    throw new RequestError(error instanceof Error ? error.message : String(error), "NETWORK");
  }
  let answer: Answer<T>;
  try {
    answer = (await response.json()) as Answer<T>;
  } catch {
    throw new RequestError(`HTTP ${response.status}`, `HTTP_${response.status}`);
  }
  const first = answer.errors?.[0];
  if (first) throw new RequestError(first.message, first.extensions?.code ?? `HTTP_${response.status}`);
  if (!answer.data) throw new RequestError(`HTTP ${response.status} without data`, `HTTP_${response.status}`);
  return answer.data;
}

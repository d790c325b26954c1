// A small GraphQL-over-HTTP client for scripts that drive the public API:
// plain fetch, an Idempotency-Key per mutation, and failures as one-line
// messages a person can act on.
import { setTimeout as sleep } from "node:timers/promises";

/** A failure to report as one line, without a stack trace. */
export class SeedError extends Error {
  /** The GraphQL error's extensions.code, when the API answered with one. */
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  /** Sent as the Idempotency-Key header: a retry with the same key writes nothing. */
  idempotencyKey?: string;
}

export interface GraphQLResponse<T> {
  data: T;
  /** Log position of the request's last event (`extensions.position`), for `minPosition`. */
  position?: string;
}

interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

interface ResponseBody<T> {
  data?: T | null;
  errors?: GraphQLError[];
  extensions?: { position?: string };
}

export interface GraphQLClientOptions {
  url: string;
  /** Per attempt (default 30 s). */
  timeoutMs?: number;
  /** Attempts for answers that say "retry" (UNAVAILABLE, 503), which an idempotency key makes safe (default 4). */
  attempts?: number;
}

export type GraphQLClient = <T>(query: string, variables?: Record<string, unknown>, options?: RequestOptions) => Promise<GraphQLResponse<T>>;

export function createGraphQLClient({ url, timeoutMs = 30_000, attempts = 4 }: GraphQLClientOptions): GraphQLClient {
  return async <T>(query: string, variables: Record<string, unknown> = {}, options: RequestOptions = {}) => {
    const operation = operationName(query);
    for (let attempt = 1; ; attempt++) {
      const outcome = await post<T>(url, { query, variables }, options, timeoutMs);
      const retryable = outcome.status === 503 || outcome.body?.errors?.some((e) => e.extensions?.code === "UNAVAILABLE");
      if (retryable && attempt < attempts && (options.idempotencyKey || !isMutation(query))) {
        await sleep(200 * 2 ** attempt);
        continue;
      }
      return unwrap(outcome, url, operation, options.idempotencyKey);
    }
  };
}

interface HttpOutcome<T> {
  status: number;
  text: string;
  body: ResponseBody<T> | undefined;
}

async function post<T>(url: string, payload: object, options: RequestOptions, timeoutMs: number): Promise<HttpOutcome<T>> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers, body: JSON.stringify(payload), signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new SeedError(`The GraphQL API at ${url} did not answer within ${timeoutMs / 1000} s.`);
    }
    throw new SeedError(`Cannot reach the GraphQL API at ${url} (${causeOf(error)}): is \`npm start\` running?`);
  }
  const text = await response.text();
  return { status: response.status, text, body: parseBody<T>(text) };
}

function unwrap<T>({ status, text, body }: HttpOutcome<T>, url: string, operation: string, idempotencyKey: string | undefined): GraphQLResponse<T> {
  const where = idempotencyKey ? `${operation} (Idempotency-Key ${idempotencyKey})` : operation;
  const [error] = body?.errors ?? [];
  if (error) {
    throw new SeedError(`${where} failed: ${error.message} [${error.extensions?.code ?? "no code"}]`, error.extensions?.code);
  }
  if (!body?.data) {
    const answer = text.slice(0, 200).replace(/\s+/g, " ").trim();
    throw new SeedError(`${where} got HTTP ${status} and no GraphQL answer (${answer || "empty body"}): is ${url} the GraphQL endpoint?`);
  }
  return { data: body.data, position: body.extensions?.position };
}

function parseBody<T>(text: string): ResponseBody<T> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as ResponseBody<T>) : undefined;
  } catch {
    return undefined;
  }
}

function operationName(query: string): string {
  return /\b(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "GraphQL request";
}

function isMutation(query: string): boolean {
  return /^\s*mutation\b/.test(query);
}

/** fetch says "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is in its cause. */
function causeOf(error: unknown): string {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  if (cause instanceof Error) return "code" in cause && typeof cause.code === "string" ? cause.code : cause.message;
  return String(cause);
}

// Who may call the API from a browser page on another origin, and how.
// CORS only decides whether a page may *read* an answer: a form or a
// text/plain POST is sent anyway, without a preflight. So a POST that is not
// JSON never reaches GraphQL (no mutation from a "simple" cross-site request),
// and an origin is let in only when listed, never with credentials: tokens
// travel in the Authorization header, not in cookies.

/** What yoga's `cors` option takes: false for no CORS headers. */
type CORSOptions = false | { origin: string[]; credentials: boolean; allowedHeaders: string[]; exposedHeaders: string[] };

/** CORS_ORIGINS: comma-separated origins allowed to call from a browser, or "*" for any (without credentials). */
export function corsFor(request: Request, env: Pick<Env, "CORS_ORIGINS"> | undefined): CORSOptions {
  const origin = request.headers.get("origin");
  const allowed = (env?.CORS_ORIGINS ?? "").split(",").map((o) => o.trim()).filter(Boolean);
  if (!origin || !(allowed.includes("*") || allowed.includes(origin))) return false;
  return { origin: [origin], credentials: false, allowedHeaders: ["content-type", "authorization", "idempotency-key", "x-min-position", "x-correlation-id"], exposedHeaders: [] };
}

/** GraphQL over HTTP: a POST must be JSON (application/json or application/graphql-response+json). */
export function isJsonPost(request: Request): boolean {
  if (request.method !== "POST") return true;
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  return type === "application/json" || type === "application/graphql-response+json";
}

export function unsupportedMediaType(): Response {
  const body = { errors: [{ message: "POST /graphql takes a JSON body (Content-Type: application/json)", extensions: { code: "UNSUPPORTED_MEDIA_TYPE" } }] };
  return new Response(JSON.stringify(body), { status: 415, headers: { "content-type": "application/json" } });
}

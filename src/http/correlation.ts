// Every request gets a request id, and a correlation id that follows it into
// its commands' event metadata, its saga and its log lines: the client's own
// X-Correlation-Id when it is a sane value, a new one otherwise. Both travel
// as headers on the request (so a ReaderDO sees them too) and come back on
// the response.
import type { MiddlewareHandler } from "hono";

export const CORRELATION_HEADER = "x-correlation-id";
export const REQUEST_ID_HEADER = "x-request-id";

/** Printable ASCII without spaces, short enough to index and to log. */
const SANE = /^[\x21-\x7e]{1,128}$/;

export const correlate: MiddlewareHandler = async (c, next) => {
  if (c.req.header("upgrade")?.toLowerCase() === "websocket") return next();
  const given = c.req.header(CORRELATION_HEADER);
  const correlationId = given !== undefined && SANE.test(given) ? given : crypto.randomUUID();
  const requestId = crypto.randomUUID();
  const headers = new Headers(c.req.raw.headers);
  headers.set(CORRELATION_HEADER, correlationId);
  headers.set(REQUEST_ID_HEADER, requestId);
  c.req.raw = new Request(c.req.raw, { headers });
  await next();
  // A response from a Durable Object has immutable headers: copy it.
  const response = new Response(c.res.body, c.res);
  response.headers.set(CORRELATION_HEADER, correlationId);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  c.res = undefined;
  c.res = response;
};

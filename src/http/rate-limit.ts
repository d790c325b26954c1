// A rate limit per client, so one client cannot take the service from the
// others: a token bucket per client (by bearer token, else by IP) in a
// RateLimiterDO. Not the Workers rate-limiting binding: its limit is fixed in
// wrangler.toml (not a var an environment or a benchmark can change), its
// period is 10 or 60 s, it cannot say when to retry, and each Cloudflare
// location counts on its own.
import type { Context, Next } from "hono";
import type { AppEnv } from "./app.ts";

export interface RateLimit {
  /** Requests a client may make in a burst, and per period on average. */
  requests: number;
  periodMs: number;
}

/** RATE_LIMIT = "<requests>/<seconds>" (e.g. "600/60"), or "off". Anything else is a deploy mistake: fail loudly. */
export function rateLimitSettings(env: Pick<Env, "RATE_LIMIT">): RateLimit | undefined {
  const setting = (env.RATE_LIMIT ?? "off").trim();
  if (setting === "off") return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(setting);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new Error(`RATE_LIMIT must be "<requests>/<seconds>" or "off", not ${JSON.stringify(setting)}`);
  return { requests: Number(match[1]), periodMs: Number(match[2]) * 1000 };
}

export interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Takes one request from the bucket, refilled continuously at requests per
 * period up to `requests`. Gives 0 if the request may go, otherwise the ms
 * until it may.
 */
export function takeToken(bucket: Bucket, now: number, limit: RateLimit): number {
  const refilled = Math.min(limit.requests, bucket.tokens + ((now - bucket.at) * limit.requests) / limit.periodMs);
  bucket.at = now;
  if (refilled >= 1) {
    bucket.tokens = refilled - 1;
    return 0;
  }
  bucket.tokens = refilled;
  return Math.ceil(((1 - refilled) * limit.periodMs) / limit.requests);
}

async function sha256Hex(value: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whose bucket a request takes from: its bearer token (hashed: a DO name is no place for a secret), else its IP. */
export async function clientKey(request: Request): Promise<string> {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (token) return `token:${await sha256Hex(token)}`;
  return `ip:${request.headers.get("cf-connecting-ip") ?? "unknown"}`;
}

/** Hono middleware: 429 with Retry-After and a RATE_LIMITED GraphQL error once a client's bucket is empty. */
export async function rateLimit(c: Context<AppEnv>, next: Next): Promise<Response | void> {
  const limit = rateLimitSettings(c.env);
  if (!limit || c.req.method === "OPTIONS") return next();
  const key = await clientKey(c.req.raw);
  const waitMs = await c.env.RATE_LIMITER.getByName(key).take(limit);
  if (waitMs === 0) return next();
  const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
  const body = {
    errors: [
      {
        message: `Too many requests: at most ${limit.requests} per ${limit.periodMs / 1000} s; retry after ${retryAfter} s`,
        extensions: { code: "RATE_LIMITED", retryAfter },
      },
    ],
  };
  return c.json(body, 429, { "retry-after": String(retryAfter) });
}

// A rate limit per client, so one client cannot take the service from the
// others: a token bucket per client (the caller its bearer token proves, else
// its IP) in a RateLimiterDO. Not the Workers rate-limiting binding: its limit is fixed in
// wrangler.toml (not a var an environment or a benchmark can change), its
// period is 10 or 60 s, it cannot say when to retry, and each Cloudflare
// location counts on its own.
import { GraphQLError } from "graphql";
import type { Context, Next } from "hono";
import { callerOf } from "../graphql/access.ts";
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

/**
 * Whose bucket a request takes from: the caller its token proves (the API or
 * admin token, or a user token's user), else its IP. A token that proves
 * nothing counts as its IP, so inventing tokens gets no fresh buckets.
 */
export async function clientKey(request: Request, env: Env): Promise<string> {
  const caller = await callerOf(request, env as unknown as Parameters<typeof callerOf>[1]);
  if (caller && !(caller instanceof GraphQLError)) return caller.role === "user" ? `user:${caller.userId}` : `role:${caller.role}`;
  return `ip:${request.headers.get("cf-connecting-ip") ?? "unknown"}`;
}

/** Hono middleware: 429 with Retry-After and a RATE_LIMITED GraphQL error once a client's bucket is empty. */
export async function rateLimit(c: Context<AppEnv>, next: Next): Promise<Response | void> {
  const limit = rateLimitSettings(c.env);
  if (!limit || c.req.method === "OPTIONS") return next();
  const key = await clientKey(c.req.raw, c.env);
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

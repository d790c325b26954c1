import { DurableObject } from "cloudflare:workers";
import { takeToken, type Bucket, type RateLimit } from "../src/http/rate-limit.ts";

/**
 * One per client ("role:api", "role:admin", "user:<id>" or "ip:<address>"): its token bucket, in
 * memory. An evicted object starts full again, which only ever errs towards
 * letting a client in.
 */
export class RateLimiterDO extends DurableObject<Env> {
  #bucket: Bucket | undefined;

  take(limit: RateLimit): number {
    const now = Date.now();
    this.#bucket ??= { tokens: limit.requests, at: now };
    return takeToken(this.#bucket, now, limit);
  }
}

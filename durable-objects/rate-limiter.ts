import { DurableObject } from "cloudflare:workers";
import { takeToken, type Bucket, type RateLimit } from "../src/http/rate-limit.ts";

/**
 * Cloudflare evicts an idle object after 70-140 s without requests (and restarts
 * objects on deploys). A bucket whose period is a minute or less has refilled
 * by then, so it lives in memory alone: no storage write on the request path.
 * A longer period's bucket would come back full too early: it is kept in
 * storage too (synchronous KV), and read once when the object starts.
 */
const MEMORY_ONLY_UP_TO_MS = 60_000;

/** One per client ("role:api", "role:admin", "user:<id>" or "ip:<address>"): its token bucket. */
export class RateLimiterDO extends DurableObject<Env> {
  #bucket: Bucket | undefined;

  take(limit: RateLimit): number {
    const now = Date.now();
    const stored = limit.periodMs > MEMORY_ONLY_UP_TO_MS;
    this.#bucket ??= (stored ? this.ctx.storage.kv.get<Bucket>("bucket") : undefined) ?? { tokens: limit.requests, at: now };
    const waitMs = takeToken(this.#bucket, now, limit);
    if (stored) this.ctx.storage.kv.put("bucket", this.#bucket);
    return waitMs;
  }
}

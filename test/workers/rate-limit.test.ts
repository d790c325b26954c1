// The rate limit per client, through the Hono app with RATE_LIMIT set (the
// pool runs with it off, since the whole suite is one client).
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { takeToken } from "../../src/http/rate-limit.ts";
import { gqlWith, withDb } from "./support.ts";

const QUERY = `{ categories(limit: 1) { id } }`;
const fromIp = (ip: string) => ({ headers: { "cf-connecting-ip": ip } });
const newIp = () => `198.51.100.${Math.floor(Math.random() * 250)}-${crypto.randomUUID()}`;

describe("rate limit", () => {
  it("answers 429 with Retry-After and RATE_LIMITED once a client is over it; other clients go on", async () => {
    // A period long enough that a slow, loaded test machine refills nothing meanwhile.
    const settings = { RATE_LIMIT: "3/600" };
    const ip = newIp();
    for (let i = 0; i < 3; i++) expect((await gqlWith(settings, QUERY, fromIp(ip))).status).toBe(200);
    const limited = await gqlWith(settings, QUERY, fromIp(ip));
    expect(limited.status).toBe(429);
    // One request back takes 600 s / 3, less what refilled while the three ran.
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(150);
    expect(retryAfter).toBeLessThanOrEqual(200);
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter });
    expect((await gqlWith(settings, QUERY, fromIp(newIp()))).status).toBe(200);
  });

  it("counts a proven caller on its own, and an invented token as its IP; a limited mutation writes nothing", async () => {
    const settings = { RATE_LIMIT: "1/600", JWT_SECRET: "rate-limit-jwt-secret" };
    const ip = newIp();
    const token = await sign({ sub: `rate-${crypto.randomUUID()}`, exp: Math.floor(Date.now() / 1000) + 600 }, settings.JWT_SECRET, "HS256");
    expect((await gqlWith(settings, QUERY, { token, ...fromIp(ip) })).status).toBe(200);
    // Same IP, no token: the IP's own bucket.
    expect((await gqlWith(settings, QUERY, fromIp(ip))).status).toBe(200);
    // A token that proves nothing gets no fresh bucket: it is its IP.
    expect((await gqlWith(settings, QUERY, { token: `invented-${crypto.randomUUID()}`, ...fromIp(ip) })).status).toBe(429);
    // The user's bucket is empty from any IP.
    const name = `limited-${crypto.randomUUID()}`;
    const limited = await gqlWith(settings, `mutation { createCategory(input: { name: "${name}" }) { id } }`, { token, ...fromIp(newIp()) });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(500);
    expect(limited.data ?? null).toBeNull();
    expect(await withDb(async (db) => (await db.query("SELECT count(*)::int AS n FROM command.categories WHERE name = $1", [name])).rows[0].n)).toBe(0);
  });

  it("keeps an emptied bucket across an eviction when its period is over a minute (it would not have refilled yet)", async () => {
    const settings = { RATE_LIMIT: "2/600" };
    const ip = newIp();
    for (let i = 0; i < 2; i++) expect((await gqlWith(settings, QUERY, fromIp(ip))).status).toBe(200);
    expect((await gqlWith(settings, QUERY, fromIp(ip))).status).toBe(429);
    await evictDurableObject(env.RATE_LIMITER.getByName(`ip:${ip}`));
    expect((await gqlWith(settings, QUERY, fromIp(ip))).status).toBe(429);
  });

  it("is off with RATE_LIMIT = off", async () => {
    const ip = newIp();
    for (let i = 0; i < 20; i++) expect((await gqlWith({ RATE_LIMIT: "off" }, QUERY, fromIp(ip))).status).toBe(200);
  });

  // Refilling is arithmetic on the clock: tested on its own, without waiting.
  it("refills the bucket evenly: a burst of `requests`, then one per period/requests", () => {
    const limit = { requests: 10, periodMs: 1_000 };
    const bucket = { tokens: 10, at: 0 };
    for (let i = 0; i < 10; i++) expect(takeToken(bucket, 0, limit)).toBe(0);
    expect(takeToken(bucket, 0, limit)).toBe(100);
    expect(takeToken(bucket, 50, limit)).toBe(50);
    expect(takeToken(bucket, 100, limit)).toBe(0);
    expect(takeToken(bucket, 100, limit)).toBe(100);
  });
});

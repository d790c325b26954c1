// What a browser on another site can make the API do, and what error answers reveal.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { gqlData, withDb } from "./support.ts";

const post = (body: string, headers: Record<string, string>) => exports.default.fetch("http://test.local/graphql", { method: "POST", headers, body });

async function categoriesNamed(name: string): Promise<number> {
  return withDb(async (db) => Number((await db.query("SELECT count(*) AS n FROM command.categories WHERE name = $1", [name])).rows[0].n));
}

describe("cross-site requests", () => {
  it("a form-encoded or text/plain POST never runs a mutation (415, UNSUPPORTED_MEDIA_TYPE)", async () => {
    const name = `csrf-${crypto.randomUUID()}`;
    const mutation = `mutation { createCategory(input: { name: "${name}" }) { id } }`;
    const form = await post(new URLSearchParams({ query: mutation }).toString(), { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" });
    expect(form.status).toBe(415);
    expect(((await form.json()) as any).errors[0].extensions.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const text = await post(JSON.stringify({ query: mutation }), { "content-type": "text/plain", origin: "https://evil.example" });
    expect(text.status).toBe(415);
    await text.text();
    expect(await categoriesNamed(name)).toBe(0);
  });

  it("lets only listed origins read answers, never with credentials", async () => {
    const evil = await post(JSON.stringify({ query: "{ __typename }" }), { "content-type": "application/json", origin: "https://evil.example" });
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    expect(evil.headers.get("access-control-allow-credentials")).toBeNull();
    await evil.text();
    const preflight = await exports.default.fetch("http://test.local/graphql", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    await preflight.text();
    const shop = await post(JSON.stringify({ query: "{ __typename }" }), { "content-type": "application/json", origin: "https://shop.example" });
    expect(shop.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect(shop.headers.get("access-control-allow-credentials")).not.toBe("true");
    await shop.text();
  });
});

describe("error answers", () => {
  it("a malformed body gets BAD_REQUEST without the parser's internals; a wrong variable type gets a code", async () => {
    const bad = await post("{bad", { "content-type": "application/json" });
    const text = await bad.text();
    expect(JSON.parse(text).errors[0].extensions.code).toBe("BAD_REQUEST");
    expect(text).not.toContain("originalError");
    expect(text).not.toContain("SyntaxError");
    const wrongType = (await (await post(JSON.stringify({ query: "query($id: ID!) { category(id: $id) { id } }", variables: { id: { a: 1 } } }), { "content-type": "application/json" })).json()) as any;
    expect(wrongType.errors[0].extensions.code).toBe("VALIDATION_ERROR");
    const unknownField = (await (await post(JSON.stringify({ query: "{ nope }" }), { "content-type": "application/json" })).json()) as any;
    expect(unknownField.errors[0].extensions.code).toBeTruthy();
    // And the service still answers.
    expect((await gqlData("{ __typename }")).__typename).toBe("Query");
  });
});

describe("body size", () => {
  it("a body over 100 KB gets 413 with a code before yoga reads it, and the service still answers", async () => {
    const json = { "content-type": "application/json" };
    const big = await post(JSON.stringify({ query: "{ categories { id } }", variables: { pad: "x".repeat(110 * 1024) } }), json);
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).errors[0].extensions.code).toBe("BAD_REQUEST");
    const small = await post(JSON.stringify({ query: "{ __typename }" }), json);
    expect(small.status).toBe(200);
    await small.text();
  });
});

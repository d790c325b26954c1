import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { appendToStream } from "../../src/event-store/index.ts";
import { errorCode, gql, gqlData, withDb } from "../workers/support.ts";
import { caughtUp, projectionStatus, waitForStatus } from "./support.ts";

describe("a projection that cannot apply an event", () => {
  afterAll(async () => {
    // Never leave the shared categories projection stuck for other files.
    const status = await projectionStatus("categories");
    if (status.status === "failed") {
      await gql(`mutation($seq: String!) { skipEvent(input: { projection: "categories", globalSequence: $seq }) { status } }`, { seq: status.failedSequence });
    }
  });

  it("stops at the event with status failed, the others keep going, and skipEvent moves it on through the dead-letter table", async () => {
    await waitForStatus("categories", caughtUp);
    // A category.created without a name: the read model's NOT NULL refuses it.
    const poisonId = crypto.randomUUID();
    const poison = await withDb((db) => appendToStream(db, "category", poisonId, [{ type: "category.created", data: { id: poisonId, name: null } }]));
    await env.PROJECTOR.getByName("categories").wake("categories");

    const failed = await waitForStatus("categories", (s) => s.status === "failed");
    expect(failed.lastError).toMatch(/null value|not-null/i);
    expect(failed.failedSequence).toBe(String(poison.globalSequences[0]));

    // Nothing after the poison is applied (no silent skipping)...
    const later = await gqlData(`mutation { createCategory(input: { name: "After the poison" }) { id } }`);
    const stale = await gql(`query($id: ID!, $p: String) { category(id: $id, minPosition: $p) { id } }`, { id: later.createCategory.id, p: later.position });
    expect(errorCode(stale)).toBe("UNAVAILABLE");
    expect((await projectionStatus("categories")).status).toBe("failed");

    // ...while the other projections keep going.
    const product = await gqlData(`mutation($c: ID!) { createProduct(input: { name: "Unaffected", categoryId: $c, price: "1.00", stockQuantity: 1 }) { id } }`, {
      c: later.createCategory.id,
    });
    const read = await gqlData(`query($id: ID!, $p: String) { product(id: $id, minPosition: $p) { name } }`, { id: product.createProduct.id, p: product.position });
    expect(read.product).toEqual({ name: "Unaffected" });

    // skipEvent must name the event the projection failed at, as a plain integer.
    const skip = (seq: unknown) => gql(`mutation($seq: String!) { skipEvent(input: { projection: "categories", globalSequence: $seq }) { status } }`, { seq });
    expect(errorCode(await skip(String(Number(failed.failedSequence) + 1000)))).toBe("NOT_FAILED_EVENT");
    expect(errorCode(await skip(String(Number(failed.failedSequence) + 1)))).toBe("NOT_FAILED_EVENT");
    for (const bad of ["", "garbage", "1.5", "-1", "0", ` ${failed.failedSequence}`, "1e3", "99999999999999999999"]) {
      const refused = await skip(bad);
      expect(errorCode(refused), JSON.stringify(bad)).toBe("VALIDATION_ERROR");
      expect(refused.errors?.[0]?.message).toMatch(/globalSequence/);
    }
    expect((await gql(`mutation { skipEvent(input: { projection: "categories" }) { status } }`)).errors).toBeDefined();
    expect(await projectionStatus("categories")).toMatchObject({ status: "failed", failedSequence: failed.failedSequence });

    const skipped = await gqlData(`mutation($seq: String!) { skipEvent(input: { projection: "categories", globalSequence: $seq }) { status lastError } }`, {
      seq: failed.failedSequence,
    });
    expect(skipped.skipEvent).toEqual({ status: "running", lastError: null });

    const { deadLetters } = await gqlData(`{ deadLetters(projection: "categories") { globalSequence aggregateId eventType error } }`);
    expect(deadLetters[0]).toMatchObject({ globalSequence: failed.failedSequence, aggregateId: poisonId, eventType: "category.created" });
    expect(deadLetters[0].error).toMatch(/null/i);

    const fresh = await gqlData(`query($id: ID!, $p: String) { category(id: $id, minPosition: $p) { name } }`, { id: later.createCategory.id, p: later.position });
    expect(fresh.category).toEqual({ name: "After the poison" });
    await waitForStatus("categories", caughtUp);

    // Once it runs again there is nothing to skip, not even the event that is next.
    const next = await gqlData(`mutation { createCategory(input: { name: "Not to be skipped" }) { id } }`);
    const globalSequence = next.position!.split("-")[1]!;
    const refused = await skip(globalSequence);
    expect(errorCode(refused)).toBe("PROJECTION_NOT_FAILED");
    const applied = await gqlData(`query($id: ID!, $p: String) { category(id: $id, minPosition: $p) { name } }`, { id: next.createCategory.id, p: next.position });
    expect(applied.category).toEqual({ name: "Not to be skipped" });
    const after = await gqlData(`{ deadLetters(projection: "categories") { globalSequence } }`);
    expect(after.deadLetters.map((d: { globalSequence: string }) => d.globalSequence)).not.toContain(globalSequence);
  });

  it("unknown projections get PROJECTION_NOT_FOUND", async () => {
    expect(errorCode(await gql(`mutation { skipEvent(input: { projection: "nope", globalSequence: "1" }) { status } }`))).toBe("PROJECTION_NOT_FOUND");
    expect(errorCode(await gql(`mutation { rebuildProjection(input: { name: "nope" }) { status } }`))).toBe("PROJECTION_NOT_FOUND");
  });
});

describe("stopping and resuming a projection", () => {
  it("a stopped projection applies nothing until resumed, then catches up", async () => {
    const stopped = await gqlData(`mutation { stopProjection(input: { name: "products" }) { status } }`);
    expect(stopped.stopProjection.status).toBe("stopped");
    const { createCategory } = await gqlData(`mutation { createCategory(input: { name: "Paused shop" }) { id } }`);
    const created = await gqlData(`mutation($c: ID!) { createProduct(input: { name: "Paused", categoryId: $c, price: "1.00", stockQuantity: 1 }) { id } }`, {
      c: createCategory.id,
    });
    await env.PROJECTOR.getByName("products").wake("products");
    const paused = await projectionStatus("products");
    expect(paused.status).toBe("stopped");
    expect(paused.eventsBehind).toBeGreaterThan(0);
    expect(await withDb(async (db) => (await db.query("SELECT count(*)::int AS n FROM query.products WHERE id = $1", [created.createProduct.id])).rows[0].n)).toBe(0);

    const resumed = await gqlData(`mutation { resumeProjection(input: { name: "products" }) { status } }`);
    expect(resumed.resumeProjection.status).not.toBe("stopped");
    const read = await gqlData(`query($id: ID!, $p: String) { product(id: $id, minPosition: $p) { name } }`, { id: created.createProduct.id, p: created.position });
    expect(read.product).toEqual({ name: "Paused" });
    await waitForStatus("products", caughtUp);
  });
});

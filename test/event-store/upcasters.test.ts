import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { upcasterChain, type EventUpcaster } from "../../src/domain/shared/upcaster.ts";
import { appendToStream, readStream } from "../../src/event-store/index.ts";
import { testPool } from "../support/database.ts";
import { GlobalLogFollower, headPosition } from "./support.ts";

const db = testPool(5);
afterAll(() => db.end());

// gadget.created (not a domain type: the real projections share this database) through three shapes:
// v1 { name, price: 19.99 }  ->  v2 { name, priceAmount: 1999, currency }  ->  v3 { name, price: { amount, currency } }
const createdV1 = { type: "gadget.created", data: { name: "Mug", price: 19.99 }, schemaVersion: 1 };
const createdV2 = { type: "gadget.created", data: { name: "Cup", priceAmount: 450, currency: "EUR" }, schemaVersion: 2 };
const renamed = { type: "gadget.renamed", data: { name: "Big mug" }, schemaVersion: 1 };

const v1ToV2: EventUpcaster = {
  eventType: "gadget.created",
  fromSchemaVersion: 1,
  upcast: (data) => {
    const { price, ...rest } = data as { name: string; price: number };
    return { ...rest, priceAmount: Math.round(price * 100), currency: "EUR" };
  },
};
const v2ToV3: EventUpcaster = {
  eventType: "gadget.created",
  fromSchemaVersion: 2,
  upcast: (data) => {
    const { priceAmount, currency, ...rest } = data as { name: string; priceAmount: number; currency: string };
    return { ...rest, price: { amount: priceAmount, currency } };
  },
};

async function storedRows(streamId: string) {
  const { rows } = await db.query<{ event_data: unknown; schema_version: number }>(
    "SELECT event_data, schema_version FROM event_store.events WHERE aggregate_id = $1 ORDER BY event_version",
    [streamId],
  );
  return rows;
}

/** A stream holding a v1 and a v2 gadget.created and an event no upcaster reads. */
async function mixedStream(): Promise<string> {
  const streamId = randomUUID();
  await appendToStream(db, "gadget", streamId, [createdV1, createdV2, renamed]);
  return streamId;
}

describe("upcasters on read", () => {
  it("readStream lifts v1 payloads to v2 and leaves current ones and other types alone", async () => {
    const streamId = await mixedStream();
    const events = await readStream(db, streamId, { upcast: upcasterChain([v1ToV2]) });
    expect(events.map((e) => [e.type, e.schemaVersion, e.data])).toEqual([
      ["gadget.created", 2, { name: "Mug", priceAmount: 1999, currency: "EUR" }],
      ["gadget.created", 2, { name: "Cup", priceAmount: 450, currency: "EUR" }],
      ["gadget.renamed", 1, { name: "Big mug" }],
    ]);
  });

  it("a chain lifts each payload through every later version, whatever order the upcasters are given in", async () => {
    const streamId = await mixedStream();
    const events = await readStream(db, streamId, { upcast: upcasterChain([v2ToV3, v1ToV2]) });
    expect(events.map((e) => [e.schemaVersion, e.data])).toEqual([
      [3, { name: "Mug", price: { amount: 1999, currency: "EUR" } }],
      [3, { name: "Cup", price: { amount: 450, currency: "EUR" } }],
      [1, { name: "Big mug" }],
    ]);
  });

  it("readGlobalLog upcasts the same way", async () => {
    const after = await headPosition(db);
    const streamId = await mixedStream();
    const follower = new GlobalLogFollower(db, new Set([streamId]), { after, upcast: upcasterChain([v1ToV2, v2ToV3]) });
    const events = await follower.readUntil(() => follower.seen.length >= 3);
    expect(events.map((e) => [e.version, e.schemaVersion, e.data])).toEqual([
      [1, 3, { name: "Mug", price: { amount: 1999, currency: "EUR" } }],
      [2, 3, { name: "Cup", price: { amount: 450, currency: "EUR" } }],
      [3, 1, { name: "Big mug" }],
    ]);
  });

  it("leaves the stored rows as they were written", async () => {
    const streamId = await mixedStream();
    await readStream(db, streamId, { upcast: upcasterChain([v1ToV2, v2ToV3]) });
    expect(await storedRows(streamId)).toEqual([
      { event_data: createdV1.data, schema_version: 1 },
      { event_data: createdV2.data, schema_version: 2 },
      { event_data: renamed.data, schema_version: 1 },
    ]);
  });

  it("refuses two upcasters for the same event type and schema version", () => {
    expect(() => upcasterChain([v1ToV2, { ...v1ToV2, upcast: (data) => data }])).toThrow(/same event type and schema version/);
  });
});

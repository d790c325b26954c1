import { describe, expect, it } from "vitest";
import { acknowledged, subscribe } from "./socket-client.ts";
import { gqlData } from "./support.ts";

// Live delivery end to end in the Worker: a mutation commits, the publisher
// pushes to every shard, the socket's shard executes its selection.

describe("eventStream over the socket", () => {
  it("delivers the selected fields of matching events only", async () => {
    const client = await acknowledged();
    // Returns once the subscribe was handled, before the mutations commit.
    await subscribe(client, "updates", { query: 'subscription { eventStream(aggregateType: "category", eventType: "category.updated") { aggregateId eventType eventData } }' });

    const created = await gqlData(`mutation { createCategory(input: { name: "Live ${crypto.randomUUID()}" }) { id } }`);
    const id: string = created.createCategory.id;
    await gqlData(`mutation { updateCategory(input: { id: "${id}", description: "live" }) { version } }`);

    // Other files' events may arrive too; the created event never matches the filter.
    for (;;) {
      const message = await client.next();
      expect(message).toMatchObject({ type: "next", id: "updates" });
      const event = (message["payload"] as { data: { eventStream: Record<string, unknown> } }).data.eventStream;
      expect(Object.keys(event).sort()).toEqual(["aggregateId", "eventData", "eventType"]);
      expect(event["eventType"]).toBe("category.updated");
      if (event["aggregateId"] === id) {
        expect(event["eventData"]).toMatchObject({ description: "live" });
        break;
      }
    }
    client.socket.close(1000, "done");
  });
});

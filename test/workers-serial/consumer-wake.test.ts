// A commit wakes at once the consumers of its event types
// (src/consumers/wake.ts), and never the stats read model; the others at most once a second per Durable
// Object. Their checkpoints must still move past it by themselves, long
// before the 30 s safety-net alarm. Serial: no other file's commits may wake
// them meanwhile.
import { describe, expect, it } from "vitest";
import { comparePositions, decodePosition } from "../../src/event-store/index.ts";
import { SAGA_MANAGER } from "../../src/sagas/saga-manager.ts";
import { STATS_CONSUMER } from "../../src/stats/event-counts.ts";
import { gql } from "../workers/support.ts";
import { waitForStatus } from "./support.ts";

const reached = (position: string) => (status: { position: string | null }) =>
  status.position !== null && comparePositions(decodePosition(status.position), decodePosition(position)) >= 0;

describe("waking the consumers after a commit", () => {
  it("moves every consumer past a category commit, those that read no category events included", async () => {
    const created = await gql(`mutation { createCategory(input: { name: "Wake ${crypto.randomUUID()}" }) { id } }`);
    const position = created.extensions?.position;
    expect(position).toBeTruthy();
    await waitForStatus("categories", reached(position!), 10_000);
    // At once, or within the waker's laterMs (a second); the bounds leave room for a loaded machine, far below the 30 s alarm.
    for (const name of ["products", "orders", SAGA_MANAGER, STATS_CONSUMER]) await waitForStatus(name, reached(position!), 10_000);
  });
});

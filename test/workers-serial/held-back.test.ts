import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { connectClient } from "../../src/db/connection.ts";
import { errorCode, gql, gqlData } from "../workers/support.ts";

/** A plain session whose transaction holds a transaction id, as a migration or an idle client would. */
async function openBlocker() {
  const db = await connectClient({ url: env.DATABASE_URL, proxy: env.DB_PROXY });
  await db.query("BEGIN");
  await db.query("SELECT pg_current_xact_id()");
  return {
    async commit() {
      try {
        await db.query("COMMIT");
      } finally {
        await db.end();
      }
    },
  };
}

describe("a consumer held back by an older open transaction", () => {
  it("applies the event once the blocker commits, without waiting for a later commit or its alarm", async () => {
    // Warm the projector and its connection first, so its wake-up reads while the blocker is still open.
    const warm = await gqlData(`mutation { createCategory(input: { name: "Warm-up" }) { id } }`);
    await gqlData(`query($id: ID!, $p: String) { category(id: $id, minPosition: $p) { name } }`, { id: warm.createCategory.id, p: warm.position });

    const blocker = await openBlocker();
    let committed: Promise<void>;
    let created;
    try {
      // Committed while the blocker is open: the projector's wake-up finds it beyond the xmin bound.
      created = await gqlData(`mutation { createCategory(input: { name: "Held back" }) { id } }`);
    } finally {
      committed = new Promise((resolve) => setTimeout(resolve, 300)).then(() => blocker.commit());
    }
    const started = Date.now();
    // The read waits at most 5 s for the read model (then UNAVAILABLE); the old
    // runner called the short page "caught up" and slept until the 30 s alarm.
    const read = await gql(`query($id: ID!, $p: String) { category(id: $id, minPosition: $p) { name } }`, { id: created.createCategory.id, p: created.position });
    await committed;
    console.log(`category(minPosition) answered ${Date.now() - started} ms after the mutation, blocker committed at ~300 ms`);
    expect(errorCode(read)).toBeUndefined();
    expect(read.data?.category).toEqual({ name: "Held back" });
  });
});

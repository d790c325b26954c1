import { it } from "vitest";
import { gqlData, withDb } from "./support.ts";
it("debug", async () => {
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const c = await gqlData(`mutation { createCategory(input: { name: "dbg" }) { id } }`);
    const t1 = Date.now();
    for (;;) {
      const rows = await withDb(async (db) => (await db.query("SELECT 1 FROM query.categories WHERE id = $1", [c.createCategory.id])).rows);
      if (rows.length) break;
      if (Date.now() - t1 > 20000) { console.log("never"); break; }
      await new Promise((r) => setTimeout(r, 50));
    }
    console.log(`create ${t1 - t0} ms, projected after ${Date.now() - t1} ms`);
  }
});

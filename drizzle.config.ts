import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: ["./schema/event-store.ts", "./schema/command-db.ts", "./schema/query-db.ts"],
  out: "./migrations",
  schemaFilter: ["event_store", "command", "query"],
});

// `npm run migrate`: applies the migrations in migrations/ to DATABASE_URL if
// set, otherwise to the embedded database in EDGE_DATA_DIR (.data/).
import { runDatabaseTask, messageOf } from "./lib/database-task.ts";
import { applyMigrations } from "./lib/migrate.ts";
import { StackError } from "./lib/stack-error.ts";

await runDatabaseTask("npm run migrate", async (database, description) => {
  await applyMigrations(database).catch((error: unknown) => {
    throw new StackError(`Applying the migrations to ${description} failed: ${messageOf(error)}`);
  });
  console.log(`Migrations applied to ${description}.`);
});

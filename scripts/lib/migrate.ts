import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/neon-serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import { createPool, type DatabaseSettings } from "../../src/db/connection.ts";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../migrations", import.meta.url));

/** Applies every migration in migrations/ that the database has not seen yet. */
export async function applyMigrations(settings: DatabaseSettings): Promise<void> {
  const pool = createPool(settings, 1);
  try {
    await pool.query("SET client_min_messages = warning");
    await migrate(drizzle({ client: pool }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await pool.end();
  }
}

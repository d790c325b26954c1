// `npm run rebuild-projections [name ...]`: rebuilds read models from the first
// event into fresh tables and swaps them in (all of them when no name is given).
// Safe while the stack runs: readers keep the old table until the swap, and the
// live projector pauses only for the swap itself.
import { connectClient } from "../src/db/connection.ts";
import { PROJECTIONS, projectionNamed } from "../src/projections/registry.ts";
import { finishRebuild, startRebuild } from "../src/projections/rebuild.ts";
import { runDatabaseTask } from "./lib/database-task.ts";
import { StackError } from "./lib/stack-error.ts";

const names = process.argv.slice(2);
const projections = names.length === 0 ? PROJECTIONS : names.map((name) => projectionNamed(name) ?? unknown(name));

await runDatabaseTask("npm run rebuild-projections", async (database, description) => {
  console.log(`Rebuilding ${projections.map((p) => p.name).join(", ")} in ${description}...`);
  const client = await connectClient(database);
  try {
    for (const projection of projections) {
      const started = performance.now();
      await startRebuild(client, projection);
      const events = await finishRebuild(async () => client, projection);
      const seconds = (performance.now() - started) / 1000;
      console.log(`  ${projection.name}: ${events} events replayed in ${seconds.toFixed(2)} s (${Math.round(events / seconds)} events/s), swapped in`);
    }
  } finally {
    await client.end();
  }
});

function unknown(name: string): never {
  console.error(new StackError(`No projection named "${name}". Known: ${PROJECTIONS.map((p) => p.name).join(", ")}.`).message);
  process.exit(1);
}

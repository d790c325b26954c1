// A fresh bench Postgres (our migrations applied, fsync on) that stays up for
// the pgbench probes in this folder: prints its URL and stops on Ctrl-C.
//
//   npx tsx scripts/bench/pgbench/postgres.ts
import { startBenchDatabase } from "../database.ts";

const database = await startBenchDatabase();
console.log(database.url);
const stop = async () => {
  await database.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
setInterval(() => undefined, 1 << 30);

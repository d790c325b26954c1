// Prints the library's append statement as a pgbench script (one event to a
// new stream, expected version 0; with `keys`, also one new idempotency key),
// so the probes run the very text the client sends:
//   npx tsx scripts/bench/pgbench/print-append.ts [keys] > /tmp/append-statement.sql
import { appendText } from "../../../src/event-store/append-statement.ts";

const hasKeys = process.argv[2] === "keys";
const params = ["md5(:n::text)::uuid", "'bench'", "0", ":events", `jsonb_build_array(jsonb_build_object('key', :n::text, 'result', 1))`];
console.log("\\set n random(1, 9000000000000000)");
console.log(`${appendText({ hasEvents: true, hasKeys }).replace(/\$(\d)/g, (_: string, n: string) => `(${params[Number(n) - 1]})`)};`);

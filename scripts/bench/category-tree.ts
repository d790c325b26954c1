// What keeping the category tree a tree costs: N writers move random
// categories of a 200-category forest under random others, each move one
// auto-committed statement shaped like the real append (the library's insert +
// the rule check + the command row), for each way to stop two moves closing
// a loop. A move refused with CATEGORY_CYCLE counts as done; a deadlock, a
// serialization failure or a version conflict is retried and counted. Not part of `npm run bench`.
//
//   npx tsx scripts/bench/category-tree.ts [--writers 8] [--seconds 5]
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { appendText } from "../../src/event-store/append-statement.ts";
import { startBenchDatabase } from "./database.ts";

const MOVED = JSON.stringify([{ type: "category.updated", data: {} }]);

const { values } = parseArgs({ options: { writers: { type: "string", default: "8" }, seconds: { type: "string", default: "5" } } });
const WRITERS = Number(values.writers);
const SECONDS = Number(values.seconds);
const CATEGORIES = 200;

// The approach rejected for deadlocks: lock the moved row, then every ancestor
// on the way up, each before its parent is read.
const PATH_LOCK = `CREATE FUNCTION pg_temp.check_path(p_id uuid, p_parent_id uuid) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v uuid := p_parent_id; v_next uuid; v_active boolean; n integer := 0;
BEGIN
  PERFORM 1 FROM command.categories WHERE id = p_id FOR UPDATE;
  WHILE v IS NOT NULL AND n < 1000 LOOP
    IF v = p_id THEN
      PERFORM command.raise_rule('illegal_state', 'CATEGORY_CYCLE', 'cycle', '{}');
    END IF;
    SELECT parent_id, active INTO v_next, v_active FROM command.categories WHERE id = v FOR SHARE;
    IF n = 0 AND (NOT FOUND OR NOT v_active) THEN
      PERFORM command.raise_rule('illegal_state', 'PARENT_DELETED', 'parent', '{}');
    END IF;
    v := v_next;
    n := n + 1;
  END LOOP;
  RETURN 1;
END;
$$`;

interface Approach {
  name: string;
  check: string;
  serializable?: boolean;
  setup?: string;
}

const APPROACHES: Approach[] = [
  { name: "unguarded (0002 check, makes cycles)", check: "command.check_category_parent" },
  { name: "tree lock (0005 check_category_move)", check: "command.check_category_move" },
  { name: "path lock (FOR UPDATE row + FOR SHARE ancestors)", check: "pg_temp.check_path", setup: PATH_LOCK },
  { name: "SERIALIZABLE + retry (0002 check)", check: "command.check_category_parent", serializable: true },
];

// $1 the moved category, $2..$4 the append's stream type, expected version and events, $5 the new parent.
const moveStatement = (check: string) => `WITH appended AS MATERIALIZED (${appendText({ hasEvents: true, hasKeys: false })}),
  checked AS MATERIALIZED (SELECT ${check}($1::uuid, $5::uuid) FROM appended),
  moved AS (UPDATE command.categories SET parent_id = $5::uuid, version = version + 1 WHERE id = $1::uuid AND EXISTS (SELECT 1 FROM checked) RETURNING 1)
  SELECT count(*) FROM moved`;

async function trial(url: string, approach: Approach) {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query("TRUNCATE command.categories");
  const ids = Array.from({ length: CATEGORIES }, () => randomUUID());
  await admin.query(
    "INSERT INTO command.categories (id, name, active, version) SELECT id, 'bench', true, 1 FROM unnest($1::uuid[]) AS id",
    [ids],
  );
  await admin.query("CHECKPOINT");
  const clients = await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      if (approach.setup) await client.query(approach.setup);
      return client;
    }),
  );
  const statement = moveStatement(approach.check);
  const latencies: number[] = [];
  let moved = 0, refused = 0, retries = 0;
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        let parent = ids[Math.floor(Math.random() * ids.length)]!;
        if (parent === id) parent = ids[(ids.indexOf(id) + 1) % ids.length]!;
        const started = performance.now();
        for (;;) {
          try {
            if (approach.serializable) await client.query("BEGIN ISOLATION LEVEL SERIALIZABLE");
            await client.query(statement, [id, "category", null, MOVED, parent]);
            if (approach.serializable) await client.query("COMMIT");
            moved++;
            break;
          } catch (error) {
            const code = (error as { code?: string }).code;
            if (approach.serializable) await client.query("ROLLBACK");
            if (code === "ES100") {
              refused++;
              break;
            }
            // 23505: two moves of one category read the same version (the
            // library retries an `any` append the same way).
            if (code === "40001" || code === "40P01" || code === "23505") {
              retries++;
              continue;
            }
            throw error;
          }
        }
        latencies.push(performance.now() - started);
      }
    }),
  );
  const { rows } = await admin.query<{ n: number }>(
    `WITH RECURSIVE walk(start, id, depth) AS (
       SELECT id, parent_id, 1 FROM command.categories WHERE parent_id IS NOT NULL
       UNION ALL
       SELECT w.start, c.parent_id, w.depth + 1 FROM walk w JOIN command.categories c ON c.id = w.id
       WHERE c.parent_id IS NOT NULL AND w.id <> w.start AND w.depth < 1000)
     SELECT count(DISTINCT start)::int AS n FROM walk WHERE id = start`,
  );
  await Promise.all(clients.map((client) => client.end()));
  await admin.end();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
  return {
    approach: approach.name,
    "moves/s": Math.round((moved + refused) / SECONDS),
    moved,
    "refused (cycle)": refused,
    "retries (deadlock/serialization)": retries,
    "p50 ms": at(0.5),
    "p99 ms": at(0.99),
    "categories in cycles": rows[0]!.n,
  };
}

const database = await startBenchDatabase();
try {
  console.log(`${WRITERS} writers, ${SECONDS} s each, ${CATEGORIES} categories; ${JSON.stringify(database.machine)}`);
  const results = [];
  for (const approach of APPROACHES) results.push(await trial(database.url, approach));
  console.table(results);
} finally {
  await database.stop();
}

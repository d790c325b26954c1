// Writes the served GraphQL schema to src/graphql/schema.graphql (committed,
// and compared with what the Worker serves by test/workers/schema.test.ts).
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { lexicographicSortSchema, printSchema } from "graphql";
import { buildSchema } from "../src/graphql/schema.ts";

const target = fileURLToPath(new URL("../src/graphql/schema.graphql", import.meta.url));
await writeFile(target, `${printSchema(lexicographicSortSchema(buildSchema()))}\n`);
console.log(`wrote ${target}`);

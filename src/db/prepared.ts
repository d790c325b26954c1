// Drizzle builds a statement's SQL text anew on every call: measured at about
// 1.5 ms of a ReaderDO's CPU per statement, most of what a read adds to
// `{ __typename }` (docs/BENCHMARKS.md, "The nested read"). A prepared query
// is built once per connection and shape (which optional filters it has),
// then runs with its values; Postgres parses it once per connection too
// (a named statement).
const perConnection = new WeakMap<object, Map<string, unknown>>();

/** The query named `name` on this drizzle instance (one per connection: readDb), prepared on first use. */
export function preparedOnce<T>(db: object, name: string, prepare: (name: string) => T): T {
  let queries = perConnection.get(db);
  if (!queries) perConnection.set(db, (queries = new Map()));
  let query = queries.get(name) as T | undefined;
  if (query === undefined) queries.set(name, (query = prepare(name)));
  return query;
}

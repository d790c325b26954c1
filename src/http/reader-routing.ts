// Which GraphQL requests go to a ReaderDO: reads only. A mutation needs no
// warm connection (its AggregateDO has one), and a gateway Durable Object
// would put every write one reset away from failing.
import { Kind, parse, type OperationDefinitionNode, type OperationTypeNode } from "graphql";

/** GRAPHQL_READERS: how many ReaderDOs share the reads (0: each read connects from the Worker). */
export function readerCount(env: Env): number {
  const count = Number(env.GRAPHQL_READERS ?? 0);
  return Number.isInteger(count) && count > 0 ? Math.min(count, 64) : 0;
}

// Each isolate hands its reads to the readers in turn. Picked at random, 8
// reads in flight on 4 readers put 3 or more on one reader in 96% of the ways
// they can fall, and a reader's one connection runs their statements one
// after another: the slowest reads (docs/BENCHMARKS.md, "The nested read:
// telemetry, timers, readers").
let turn = 0;

/** The name of the reader for the next read of this isolate: each in turn. */
export function nextReaderName(readers: number): string {
  turn = (turn + 1) % readers;
  return `reader-${turn}`;
}

export function pickReader(env: Env, readers: number) {
  return env.READER.getByName(nextReaderName(readers));
}

/**
 * True for a GET (GraphQL over HTTP runs only queries on GET) and for a JSON
 * POST whose operation is a query. Anything else, malformed requests included,
 * stays in the Worker, which answers it as it always did.
 */
export async function isQueryRequest(request: Request): Promise<boolean> {
  if (request.method === "GET") return true;
  if (request.method !== "POST" || !request.headers.get("content-type")?.includes("application/json")) return false;
  try {
    const body = (await request.clone().json()) as { query?: unknown; operationName?: unknown };
    if (typeof body?.query !== "string") return false;
    const types = operationTypes(body.query);
    return (typeof body.operationName === "string" ? types.byName.get(body.operationName) : types.only) === "query";
  } catch {
    return false;
  }
}

type OperationTypes = { byName: ReadonlyMap<string, OperationTypeNode>; only: OperationTypeNode | undefined };

// Clients send the same few documents over and over: remember each one's
// operation types instead of parsing it on every request (yoga, in the
// ReaderDO or here, keeps its own cache of parsed documents). Bounded in
// entries and in the size of a document worth keeping.
const KNOWN_DOCUMENTS = 500;
const KNOWN_DOCUMENT_LENGTH = 10_000;
const known = new Map<string, OperationTypes>();

function operationTypes(query: string): OperationTypes {
  const cached = known.get(query);
  if (cached) return cached;
  const operations = parse(query).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const types: OperationTypes = {
    byName: new Map(operations.flatMap((o) => (o.name ? [[o.name.value, o.operation] as const] : []))),
    only: operations.length === 1 ? operations[0]!.operation : undefined,
  };
  if (query.length <= KNOWN_DOCUMENT_LENGTH) {
    if (known.size >= KNOWN_DOCUMENTS) known.delete(known.keys().next().value!);
    known.set(query, types);
  }
  return types;
}

// Read-your-writes on request: a query given a position (the X-Min-Position
// header, or the minPosition argument of its top-level field) waits, bounded,
// until every read model it reads has got there, nested fields included
// (a product's category is read from the categories read model).
//
// A request waits once per read model and position, however many fields ask:
// 20 aliased fields must not mean 20 polling loops. It polls with backoff and
// wakes the projector once. A position past the log's head, and a read model
// an admin stopped, are refused at once (POSITION_AHEAD_OF_LOG,
// PROJECTION_STOPPED), since no wait can reach them. A failed projection is
// waited for: it retries by itself.
import type { GraphQLResolveInfo } from "graphql";
import { IllegalStateError, UnavailableError, ValidationError } from "../domain/shared/errors.ts";
import { comparePositions, decodePosition, isBeyondLogHead, type LogPosition } from "../event-store/index.ts";
import { readCheckpoints } from "../consumers/checkpoints.ts";
import type { GraphQLContext } from "./context.ts";

const WAIT_LIMIT_MS = 5_000;
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 160;

interface RequestWaits {
  /** minPosition of each top-level field, by response key, for the fields nested under it. */
  positions: Map<string, string>;
  /** One wait per read model and position. */
  waits: Map<string, Promise<void>>;
  /** One log-head check per position. */
  headChecks: Map<string, Promise<void>>;
}

const requests = new WeakMap<GraphQLContext, RequestWaits>();

function requestWaits(context: GraphQLContext): RequestWaits {
  let found = requests.get(context);
  if (!found) {
    found = { positions: new Map(), waits: new Map(), headChecks: new Map() };
    requests.set(context, found);
  }
  return found;
}

function topLevelKey(info: GraphQLResolveInfo): string | number {
  let path = info.path;
  while (path.prev) path = path.prev;
  return path.key;
}

/**
 * Waits until `readModel` has reached the request's position, if it has one.
 * A top-level field passes its minPosition argument; nested fields pass none
 * and inherit their top-level field's.
 */
export function awaitReadModel(context: GraphQLContext, info: GraphQLResolveInfo, readModel: string, minPosition?: string | null): Promise<void> {
  const request = requestWaits(context);
  const key = String(topLevelKey(info));
  if (minPosition) request.positions.set(key, minPosition);
  const wanted = request.positions.get(key) ?? context.request.headers.get("x-min-position");
  if (!wanted) return Promise.resolve();
  const waitKey = `${readModel} ${wanted}`;
  let wait = request.waits.get(waitKey);
  if (!wait) {
    wait = waitFor(context, request, readModel, wanted);
    request.waits.set(waitKey, wait);
  }
  return wait;
}

async function waitFor(context: GraphQLContext, request: RequestWaits, readModel: string, wanted: string): Promise<void> {
  const target = decodePosition(wanted);
  const db = await context.db.get();
  const reached = async () => {
    const checkpoint = (await readCheckpoints(db, [readModel])).get(readModel);
    if (checkpoint !== undefined && comparePositions(checkpoint, target) >= 0) return true;
    if (checkpoint?.status === "stopped") {
      throw new IllegalStateError(
        `the ${readModel} read model is stopped before position ${wanted}: resumeProjection resumes it`,
        { projection: readModel, position: wanted },
        "PROJECTION_STOPPED",
      );
    }
    return false;
  };
  if (await reached()) return;
  let headCheck = request.headChecks.get(wanted);
  if (!headCheck) {
    headCheck = refuseBeyondHead(context, target, wanted);
    request.headChecks.set(wanted, headCheck);
  }
  await headCheck;
  // In case the wake-up after the commit was lost.
  context.executionContext.waitUntil(context.env.PROJECTOR.getByName(readModel).wake(readModel));
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (let pause = FIRST_POLL_MS; ; pause = Math.min(pause * 2, MAX_POLL_MS)) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(0, deadline - Date.now()))));
    if (await reached()) return;
    if (Date.now() >= deadline) {
      throw new UnavailableError(`the ${readModel} read model has not reached position ${wanted} yet, retry`, { projection: readModel, position: wanted });
    }
  }
}

async function refuseBeyondHead(context: GraphQLContext, target: LogPosition, wanted: string): Promise<void> {
  if (await isBeyondLogHead(await context.db.get(), target)) {
    throw new ValidationError(`position ${wanted} is ahead of the event log: no event has it yet`, {
      field: "minPosition",
      position: wanted,
      reason: "POSITION_AHEAD_OF_LOG",
    });
  }
}

// Read-your-writes on request: a query given a position (minPosition argument
// or X-Min-Position header) waits, bounded, until its read model got there.
import { UnavailableError } from "../domain/shared/errors.ts";
import { comparePositions, decodePosition } from "../event-store/index.ts";
import { readCheckpoints } from "../projections/checkpoints.ts";
import type { GraphQLContext } from "./context.ts";

const WAIT_LIMIT_MS = 5_000;
const POLL_MS = 15;

export async function awaitReadModel(context: GraphQLContext, projection: string, minPosition?: string | null): Promise<void> {
  const wanted = minPosition ?? context.request.headers.get("x-min-position");
  if (!wanted) return;
  const target = decodePosition(wanted);
  const db = await context.db.get();
  const deadline = Date.now() + WAIT_LIMIT_MS;
  let woken = false;
  for (;;) {
    const checkpoint = (await readCheckpoints(db, [projection])).get(projection);
    if (checkpoint && comparePositions(checkpoint, target) >= 0) return;
    if (Date.now() > deadline) {
      throw new UnavailableError(`the ${projection} read model has not reached position ${wanted} yet, retry`, { projection, position: wanted });
    }
    if (!woken) {
      // In case the wake-up after the commit was lost.
      context.executionContext.waitUntil(context.env.PROJECTOR.getByName(projection).wake(projection));
      woken = true;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

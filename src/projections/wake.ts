import { PROJECTIONS } from "./registry.ts";

/** Nudges every consumer after a commit; the alarm catches anything lost here. */
export async function wakeConsumers(env: Env): Promise<void> {
  await Promise.allSettled(PROJECTIONS.map((projection) => env.PROJECTOR.getByName(projection.name).wake(projection.name)));
}

import { CONSUMER_NAMES } from "./registry.ts";

/** Nudges every consumer after a commit; the alarm catches anything lost here. */
export async function wakeConsumers(env: Env): Promise<void> {
  await Promise.allSettled(CONSUMER_NAMES.map((name) => env.PROJECTOR.getByName(name).wake(name)));
}

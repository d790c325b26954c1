// Every consumer of the global log, by name: the read models and the saga
// manager. Each runs in its own ProjectorDO, with its own checkpoint.
import { projectionConsumer } from "../projections/projection.ts";
import { PROJECTIONS, projectionNamed } from "../projections/registry.ts";
import { SAGA_MANAGER, sagaManager } from "../sagas/saga-manager.ts";
import type { Consumer } from "./consumer.ts";

export const CONSUMER_NAMES: readonly string[] = [...PROJECTIONS.map((p) => p.name), SAGA_MANAGER];

export function consumerNamed(name: string, env: Pick<Env, "SAGA">): Consumer | undefined {
  const projection = projectionNamed(name);
  if (projection) return projectionConsumer(projection);
  if (name === SAGA_MANAGER) return sagaManager(env.SAGA);
  return undefined;
}

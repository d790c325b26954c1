// Events are immutable, their shapes are not: an upcaster lifts a payload of
// one (event type, schema version) to the next version when it is read.
import type { StoredEvent } from "./types.ts";

export interface Upcaster {
  eventType: string;
  /** The schema version this upcaster reads; it produces fromSchemaVersion + 1. */
  fromSchemaVersion: number;
  upcast(data: unknown, event: StoredEvent): unknown;
}

export type Upcast = (event: StoredEvent) => StoredEvent;

export const noUpcast: Upcast = (event) => event;

export function upcasterChain(upcasters: readonly Upcaster[]): Upcast {
  const byKey = new Map(upcasters.map((u) => [`${u.eventType}@${u.fromSchemaVersion}`, u]));
  if (byKey.size !== upcasters.length) throw new Error("two upcasters read the same event type and schema version");
  return (event) => {
    let current = event;
    for (let next = byKey.get(`${current.type}@${current.schemaVersion}`); next; next = byKey.get(`${current.type}@${current.schemaVersion}`)) {
      current = { ...current, data: next.upcast(current.data, current), schemaVersion: current.schemaVersion + 1 };
    }
    return current;
  };
}

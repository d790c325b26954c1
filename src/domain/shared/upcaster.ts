// Events are immutable, their shapes are not: an upcaster lifts a payload of
// one (event type, schema version) to the next version when it is read. Pure:
// the event store's readers take the composed chain as their `Upcast` port
// and know nothing of the domain's shapes.

export interface EventUpcaster {
  eventType: string;
  /** The schema version this upcaster reads; it produces fromSchemaVersion + 1. */
  fromSchemaVersion: number;
  upcast(data: unknown): unknown;
}

/** What an upcaster needs of a stored event (the store's StoredEvent has more). */
export interface VersionedEvent {
  type: string;
  schemaVersion: number;
  data: unknown;
}

/** Lifts an event through every upcaster that applies, one schema version at a time. */
export function upcasterChain(upcasters: readonly EventUpcaster[]): <E extends VersionedEvent>(event: E) => E {
  const byKey = new Map(upcasters.map((u) => [`${u.eventType}@${u.fromSchemaVersion}`, u]));
  if (byKey.size !== upcasters.length) throw new Error("two upcasters read the same event type and schema version");
  return (event) => {
    let current = event;
    for (let next = byKey.get(`${current.type}@${current.schemaVersion}`); next; next = byKey.get(`${current.type}@${current.schemaVersion}`)) {
      current = { ...current, data: next.upcast(current.data), schemaVersion: current.schemaVersion + 1 };
    }
    return current;
  };
}

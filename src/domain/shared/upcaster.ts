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

/**
 * Lifts an event through every upcaster that applies, one schema version at a
 * time. Looked up by type, then version: most events have no upcaster, and a
 * type's lookup builds no key string per event (half the chain's time on a
 * 1,000-event load).
 */
export function upcasterChain(upcasters: readonly EventUpcaster[]): <E extends VersionedEvent>(event: E) => E {
  const byType = new Map<string, Map<number, EventUpcaster>>();
  for (const upcaster of upcasters) {
    const byVersion = byType.get(upcaster.eventType) ?? new Map<number, EventUpcaster>();
    if (byVersion.has(upcaster.fromSchemaVersion)) throw new Error("two upcasters read the same event type and schema version");
    byType.set(upcaster.eventType, byVersion.set(upcaster.fromSchemaVersion, upcaster));
  }
  return (event) => {
    const byVersion = byType.get(event.type);
    if (byVersion === undefined) return event;
    let current = event;
    for (let next = byVersion.get(current.schemaVersion); next; next = byVersion.get(current.schemaVersion)) {
      current = { ...current, data: next.upcast(current.data), schemaVersion: current.schemaVersion + 1 };
    }
    return current;
  };
}

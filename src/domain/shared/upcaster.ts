/**
 * Lifts an event payload of one (event type, schema version) to the next
 * version. The domain states its upcasters in this shape; the event store's
 * reader takes them as they are (its Upcaster is the same shape).
 */
export interface EventUpcaster {
  eventType: string;
  /** The schema version this upcaster reads; it produces fromSchemaVersion + 1. */
  fromSchemaVersion: number;
  upcast(data: unknown): unknown;
}

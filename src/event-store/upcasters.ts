// Events are immutable, their shapes are not: readers take an `Upcast` that
// lifts old payloads to the current shape. The store only applies it; the
// upcasters themselves are the domain's (src/domain/upcasters.ts).

/** What an upcast reads and rewrites: any event shape that carries these (a StoredEvent, a LoadedEvent). */
export interface UpcastableEvent {
  type: string;
  schemaVersion: number;
  data: unknown;
}

export type Upcast = <Event extends UpcastableEvent>(event: Event) => Event;

export const noUpcast: Upcast = (event) => event;

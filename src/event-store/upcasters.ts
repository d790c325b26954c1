// Events are immutable, their shapes are not: readers take an `Upcast` that
// lifts old payloads to the current shape. The store only applies it; the
// upcasters themselves are the domain's (src/domain/upcasters.ts).
import type { StoredEvent } from "./types.ts";

export type Upcast = (event: StoredEvent) => StoredEvent;

export const noUpcast: Upcast = (event) => event;

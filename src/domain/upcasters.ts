// Every reader of events (aggregates, consumers, queries) lifts old payload
// shapes through this one chain, handing it to the event store's readers as
// their `upcast` option.
import { upcasterChain } from "./shared/upcaster.ts";
import { productUpcasters } from "./product/upcasters.ts";

export const upcastDomainEvent = upcasterChain([...productUpcasters]);

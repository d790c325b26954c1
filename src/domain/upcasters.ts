// Every reader of events (aggregates, consumers, queries) lifts old payload
// shapes through this one chain.
import { upcasterChain } from "../event-store/upcasters.ts";
import { productUpcasters } from "./product/upcasters.ts";

export const upcastDomainEvent = upcasterChain([...productUpcasters]);

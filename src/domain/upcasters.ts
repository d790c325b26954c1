// Every reader of events (aggregates, consumers, queries) lifts old payload
// shapes through this one chain. It is the one domain module that still
// imports the store: composing the chain belongs next to its readers, which
// live in src/commands, src/projections and src/graphql alike.
import { upcasterChain } from "../event-store/upcasters.ts";
import { productUpcasters } from "./product/upcasters.ts";

export const upcastDomainEvent = upcasterChain([...productUpcasters]);

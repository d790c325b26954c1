export * as eventStore from "./event-store.ts";
export * as commandDb from "./command-db.ts";
export * as queryDb from "./query-db.ts";

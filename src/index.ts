import { createApp } from "./http/app.ts";

export { AggregateDO } from "../durable-objects/aggregate.ts";
export { ProjectorDO } from "../durable-objects/projector.ts";
export { BroadcasterDO } from "../durable-objects/broadcaster.ts";
export { SagaDO } from "../durable-objects/saga.ts";
export { ReaderDO } from "../durable-objects/reader.ts";
export { RateLimiterDO } from "../durable-objects/rate-limiter.ts";

export default createApp();

/** The broadcaster's settings from the Worker's vars, with their defaults. */
export type BroadcasterSettings = { shards: number; initTimeoutMs: number; cacheSize: number; socketBufferBytes: number };

export function broadcasterSettings(env: {
  BROADCASTER_SHARDS?: string;
  BROADCASTER_INIT_TIMEOUT_MS?: string;
  BROADCASTER_CACHE_SIZE?: string;
  BROADCASTER_SOCKET_BUFFER_BYTES?: string;
}): BroadcasterSettings {
  return {
    shards: positiveInteger(env.BROADCASTER_SHARDS, 2),
    initTimeoutMs: positiveInteger(env.BROADCASTER_INIT_TIMEOUT_MS, 3_000),
    cacheSize: positiveInteger(env.BROADCASTER_CACHE_SIZE, 1_000),
    // Bytes sent to a socket and not yet confirmed by its pong before it counts as too slow: more than a full cache replay of typical events.
    socketBufferBytes: positiveInteger(env.BROADCASTER_SOCKET_BUFFER_BYTES, 4_194_304),
  };
}

function positiveInteger(value: string | undefined, fallback: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : fallback;
}

/** Every shard's Durable Object name: publishers push to all of them. */
export function shardNames(settings: BroadcasterSettings): string[] {
  return Array.from({ length: settings.shards }, (_, index) => `shard-${index}`);
}

/** A new socket goes to a random shard: sockets spread evenly and every shard gets every message anyway. */
export function pickShard(settings: BroadcasterSettings, random: () => number = Math.random): string {
  return `shard-${Math.floor(random() * settings.shards)}`;
}

/** Carries the shard's name from the Worker's routing to the shard. */
export const SHARD_HEADER = "x-broadcaster-shard";

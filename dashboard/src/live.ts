// One graphql-ws connection for the whole page (the public /graphql socket),
// kept open and reopened after any drop. A subscription made with `follow`
// is made again on every reconnection with fresh variables, so a stream can
// pass the last position it saw (`after`) and resume without a gap.
import { createClient, type Client } from "graphql-ws";
import { authorization } from "./graphql.ts";

export type ConnectionState = "connecting" | "live" | "offline";

const PING_EVERY_MS = 10_000;
// A socket that does not answer a ping within this time is dead, even if the OS has not noticed yet.
const PONG_WITHIN_MS = 5_000;

let state: ConnectionState = "connecting";
let connections = 0;
const stateListeners = new Set<(state: ConnectionState) => void>();
const connectedListeners = new Set<(reconnect: boolean) => void>();
const closedListeners = new Set<() => void>();
let pongTimer: ReturnType<typeof setTimeout> | undefined;

function setState(next: ConnectionState): void {
  state = next;
  for (const listener of stateListeners) listener(next);
}

function socketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss" : "ws"}://${host}/graphql`;
}

// graphql-ws gives up for good on some close codes (4500, 4401, ...): a server
// being restarted or a token being fixed deserves another try, from a new client.
const FRESH_CLIENT_AFTER_MS = 5_000;

function connect(): Client {
  const next: Client = createClient({
    url: socketUrl(),
    lazy: false,
    retryAttempts: Number.POSITIVE_INFINITY,
    // Quick at first, then at most every 5 s, with jitter so a restarted server is not hit by every tab at once.
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 5_000) + Math.random() * 300)),
    keepAlive: PING_EVERY_MS,
    connectionParams: () => {
      const value = authorization();
      return value ? { authorization: value } : {};
    },
    onNonLazyError: () => {
      if (next !== client) return;
      setState("offline");
      giveUpTimer = setTimeout(replaceClient, FRESH_CLIENT_AFTER_MS);
    },
    on: {
      // A replaced client's last events are not news.
      connected: () => {
        if (next !== client) return;
        connections += 1;
        setState("live");
        for (const listener of connectedListeners) listener(connections > 1);
      },
      closed: () => {
        if (next !== client) return;
        clearTimeout(pongTimer);
        setState("offline");
        for (const listener of closedListeners) listener();
      },
      ping: (received) => {
        if (!received) pongTimer = setTimeout(() => next.terminate(), PONG_WITHIN_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });
  return next;
}

let giveUpTimer: ReturnType<typeof setTimeout> | undefined;
let client = connect();

function replaceClient(): void {
  clearTimeout(giveUpTimer);
  void client.dispose();
  client = connect();
}

// The browser knows before the socket does.
window.addEventListener("offline", () => client.terminate());

export function connectionState(): ConnectionState {
  return state;
}

export function onConnectionState(listener: (state: ConnectionState) => void): () => void {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

/** Reconnects, e.g. after the token changed (connection_init carries it). */
export function reconnect(): void {
  replaceClient();
}

export interface FollowOptions<T> {
  query: string;
  /** Asked on every (re)connection. */
  variables: () => Record<string, unknown>;
  next: (data: T) => void;
  error?: (message: string, code?: string) => void;
  /** Called after a reconnection, once the subscription is made again. */
  resumed?: () => void;
}

export function follow<T>(options: FollowOptions<T>): () => void {
  let dispose: (() => void) | undefined;
  const start = (reconnected: boolean) => {
    dispose?.();
    dispose = client.subscribe<T>(
      { query: options.query, variables: options.variables() },
      {
        next: (result) => {
          if (result.data) options.next(result.data as T);
          const first = result.errors?.[0];
          if (first) options.error?.(first.message, (first.extensions as { code?: string } | undefined)?.code);
        },
        error: (error) => {
          if (Array.isArray(error)) {
            const first = error[0] as { message?: string; extensions?: { code?: string } } | undefined;
            options.error?.(first?.message ?? "subscription error", first?.extensions?.code);
          }
        },
        complete: () => undefined,
      },
    );
    if (reconnected) options.resumed?.();
  };
  const stop = () => {
    dispose?.();
    dispose = undefined;
  };
  connectedListeners.add(start);
  closedListeners.add(stop);
  if (state === "live") start(false);
  return () => {
    stop();
    connectedListeners.delete(start);
    closedListeners.delete(stop);
  };
}

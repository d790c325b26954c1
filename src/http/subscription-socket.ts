import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from "graphql-ws";
import type { Context, Next } from "hono";
import { pickShard, broadcasterSettings, SHARD_HEADER } from "../subscriptions/settings.ts";
import type { AppEnv } from "./app.ts";

/**
 * Hands a WebSocket upgrade to a broadcaster shard; any other GET falls
 * through to GraphiQL. Only graphql-transport-ws is spoken, so a client
 * asking for another subprotocol gets a plain HTTP error instead of a socket
 * it would misread.
 */
export async function subscriptionSocket(c: Context<AppEnv>, next: Next): Promise<Response | void> {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return next();
  const protocols = (c.req.header("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
  if (!protocols.includes(GRAPHQL_TRANSPORT_WS_PROTOCOL)) {
    return c.text(`WebSocket subprotocol ${GRAPHQL_TRANSPORT_WS_PROTOCOL} required`, 426);
  }
  const name = pickShard(broadcasterSettings(c.env));
  // The shard learns its own name this way, to say it in connection_ack (clients and tests see where they landed).
  const request = new Request(c.req.raw);
  request.headers.set(SHARD_HEADER, name);
  return c.env.BROADCASTER.getByName(name).fetch(request);
}

import { DurableObject } from "cloudflare:workers";
import { GRAPHQL_TRANSPORT_WS_PROTOCOL } from "graphql-ws";
import { socketAccess } from "../src/graphql/access.ts";
import { buildSchema } from "../src/graphql/schema.ts";
import { LiveSubscriptions } from "../src/subscriptions/live-subscriptions.ts";
import { MessageCache, type PubSubMessage, type TopicStats } from "../src/subscriptions/message-cache.ts";
import { handleFrame, initTimedOut, newSocketState, type SocketState } from "../src/subscriptions/protocol.ts";
import { TOPICS } from "../src/subscriptions/publisher.ts";
import { broadcasterSettings, SHARD_HEADER } from "../src/subscriptions/settings.ts";
import { DashboardPush, dashboardStats, type DashboardStats } from "../src/telemetry/dashboard.ts";
import type { Execution, ExecutionKind, ExecutionReport } from "../src/telemetry/execution.ts";
import { ExecutionLog, type ExecutionTotals } from "../src/telemetry/execution-log.ts";

/** dashboardStatsStream pushes at most this often per shard, so per socket. */
const DASHBOARD_PUSH_MS = 250;

/**
 * One broadcaster shard ("shard-<n>"): holds client sockets with the
 * Hibernation API and never a Postgres connection (an open database socket
 * would keep it from hibernating); others push messages to it by RPC.
 */
export class BroadcasterDO extends DurableObject<Env> {
  #schema = buildSchema();
  #settings = broadcasterSettings(this.env);
  // Secrets are not in the generated Env type.
  #access = socketAccess(this.env as unknown as { AUTH_MODE?: string; API_TOKEN?: string; ADMIN_TOKEN?: string; JWT_SECRET?: string });
  #cache = new MessageCache(this.ctx.storage.sql, this.#settings.cacheSize);
  #live = new LiveSubscriptions({
    schema: this.#schema,
    cache: this.#cache,
    sockets: () => this.ctx.getWebSockets(),
    maxUnconfirmedBytes: this.#settings.socketBufferBytes,
  });
  #executions = new ExecutionLog(this.ctx.storage.sql, this.#settings.cacheSize);
  #dashboard = new DashboardPush(DASHBOARD_PUSH_MS, () => this.#dashboardStats(), async (message) => this.#live.deliver([message]));

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Pings are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  /** Stores the messages this shard has not seen yet (a redelivered batch changes nothing) and sends them. */
  async publish(messages: PubSubMessage[]): Promise<{ accepted: number }> {
    const accepted = this.#cache.publish(messages);
    this.#executions.observe(accepted);
    this.#live.deliver(accepted);
    // The figures cost several queries: only worth it while someone watches them.
    if (accepted.length > 0 && this.#live.listening(TOPICS.dashboard)) this.#dashboard.changed();
    return { accepted: accepted.length };
  }

  /** Execution reports from the Worker and the ReaderDOs: logged here, then published on `commands`/`queries`. */
  async record(reports: ExecutionReport[]): Promise<{ accepted: number }> {
    return this.publish(this.#executions.record(reports));
  }

  async executions(kind: ExecutionKind, limit: number): Promise<Execution[]> {
    return this.#executions.recent(kind, limit);
  }

  async dashboardStats(): Promise<DashboardStats> {
    return this.#dashboardStats();
  }

  /** What /metrics needs from this shard. */
  async metrics(): Promise<{ totals: ExecutionTotals[]; topics: TopicStats[]; sockets: number }> {
    return { totals: this.#executions.totals(), topics: this.#cache.stats(), sockets: this.ctx.getWebSockets().length };
  }

  #dashboardStats(): DashboardStats {
    return dashboardStats(this.#executions.dashboard(), this.#cache.stats());
  }

  async recentMessages(topic: string | null, limit: number): Promise<PubSubMessage[]> {
    return this.#cache.recent(topic, limit);
  }

  async topicStats(): Promise<TopicStats[]> {
    return this.#cache.stats();
  }

  override async fetch(request: Request): Promise<Response> {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment(newSocketState(Date.now(), request.headers.get(SHARD_HEADER)));
    // The init timeout must outlive an eviction, so it is an alarm, not a timer.
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + this.#settings.initTimeoutMs);
    return new Response(null, { status: 101, webSocket: client, headers: { "Sec-WebSocket-Protocol": GRAPHQL_TRANSPORT_WS_PROTOCOL } });
  }

  override async webSocketMessage(socket: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const before = socket.deserializeAttachment() as SocketState;
    const step = await handleFrame(this.#schema, before, data, this.#access);
    // No await from here on: a started subscription's replay and going live happen between two publishes.
    for (const frame of step.send) socket.send(frame);
    if (step.pong) this.#live.confirmed(socket, step.pong);
    // Only subscribe and complete change the subscriptions (the protocol keeps the same object otherwise).
    if (step.state.subscriptions !== before.subscriptions) {
      this.#live.update(socket, step.state, step.started);
      socket.serializeAttachment(step.state);
    } else if (step.state !== before) socket.serializeAttachment(step.state);
    if (step.close) {
      this.#live.drop(socket);
      socket.close(step.close.code, step.close.reason);
    }
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    this.#live.drop(socket);
    // 1005 (no code) and 1006 (abnormal) cannot be sent back in a close frame.
    if (code !== 1005 && code !== 1006) socket.close(code, reason);
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    this.#live.drop(socket);
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    let waiting = false;
    for (const socket of this.ctx.getWebSockets()) {
      const state = socket.deserializeAttachment() as SocketState;
      if (initTimedOut(state, now, this.#settings.initTimeoutMs)) socket.close(4408, "Connection initialisation timeout");
      else if (!state.initReceived) waiting = true;
    }
    if (waiting) await this.ctx.storage.setAlarm(now + this.#settings.initTimeoutMs);
  }
}

import { type DocumentNode, executeSync, type GraphQLSchema, parse } from "graphql";
import { comparePositions, decodePosition, type LogPosition } from "../event-store/position.ts";
import type { MessageCache, PubSubMessage } from "./message-cache.ts";
import { errorMessage, type ActiveSubscription, type SocketState } from "./protocol.ts";
import { SendWindow } from "./send-window.ts";
import { cursorTooOld } from "./subscription-target.ts";

/**
 * A shard's live subscriptions, in memory, grouped by selection (document,
 * variables, operation): each message is executed once per selection with
 * the message as root value, serialized once, and each subscriber's send is
 * a string concatenation. The sockets' attachments stay the truth; after a
 * wake-up from hibernation the index is rebuilt from them.
 *
 * Nothing here awaits: a publish's send loop and a subscribe's replay never
 * interleave in the Durable Object, so a message published during a
 * subscribe is either in the replay or live, never both and never neither.
 * The subscriber's cursor still guards against a message older than it
 * (a client that saw a message on another shard before this one got it).
 */

type Selection = {
  key: string;
  topic: string;
  document: DocumentNode;
  variables: Record<string, unknown> | undefined;
  operationName: string | undefined;
  subscribers: Set<Subscriber>;
};

type Subscriber = {
  socket: WebSocket;
  /** The frame up to the payload: `{"id":...,"type":"next","payload":` */
  frameStart: string;
  /** Messages up to this one were already sent (replay, or another shard); null once passed. */
  after: LogPosition | null;
};

export type LiveSubscriptionOptions = {
  schema: GraphQLSchema;
  cache: MessageCache;
  /** Every socket of the shard (the Hibernation API's list). */
  sockets: () => WebSocket[];
  /** A socket with more bytes sent and not yet confirmed is closed (see SendWindow, SLOW_CONSUMER). */
  maxUnconfirmedBytes: number;
};

/**
 * The close for a socket that cannot keep up. Not 1013 (Try Again Later):
 * workerd refuses to send codes outside 1000 and 3000-4999. graphql-ws
 * clients retry on it (it is not one of their fatal codes).
 */
export const SLOW_CONSUMER = { code: 4503, reason: "Slow consumer: reconnect and resume with after = the last id received" };

export class LiveSubscriptions {
  readonly #selections = new Map<string, Selection>();
  readonly #bySocket = new Map<WebSocket, Map<string, { selection: Selection; subscriber: Subscriber }>>();
  readonly #window: SendWindow;
  #indexed = false;

  constructor(private readonly options: LiveSubscriptionOptions) {
    this.#window = new SendWindow(options.maxUnconfirmedBytes);
  }

  /** A pong from the socket: it has read what was sent before the ping. */
  confirmed(socket: WebSocket, payload: Record<string, unknown> | undefined): void {
    this.#window.confirmed(socket, payload);
  }

  /**
   * Takes a socket's subscriptions from its new state; `started` (if any) is
   * first replayed from its cursor. May change `state` (the started one's
   * cursor, or drops it when the cursor is too old): store it afterwards.
   */
  update(socket: WebSocket, state: SocketState, started?: string): void {
    this.#ensureIndexed();
    this.#unindex(socket);
    if (started) {
      const subscription = state.subscriptions[started]!;
      if (!this.#replay(socket, started, subscription)) delete state.subscriptions[started];
    }
    for (const [id, subscription] of Object.entries(state.subscriptions)) this.#add(socket, id, subscription);
  }

  /** A socket that closed or was closed: out of the index, its send window forgotten. */
  drop(socket: WebSocket): void {
    this.#window.forget(socket);
    this.#unindex(socket);
  }

  #unindex(socket: WebSocket): void {
    for (const { selection, subscriber } of this.#bySocket.get(socket)?.values() ?? []) {
      selection.subscribers.delete(subscriber);
      if (selection.subscribers.size === 0) this.#selections.delete(selection.key);
    }
    this.#bySocket.delete(socket);
  }

  /** Whether any socket here subscribes to the topic: what nobody listens to need not be computed. */
  listening(topic: string): boolean {
    this.#ensureIndexed();
    for (const selection of this.#selections.values()) if (selection.topic === topic) return true;
    return false;
  }

  /** Sends each new message to every subscription it is for. */
  deliver(messages: readonly PubSubMessage[]): void {
    this.#ensureIndexed();
    const slow = new Set<WebSocket>();
    for (const selection of [...this.#selections.values()]) {
      for (const message of messages) {
        if (message.topic !== selection.topic) continue;
        const payload = this.#execute(selection, message);
        if (payload === null) continue;
        const position = decodePosition(message.id);
        for (const subscriber of selection.subscribers) {
          if (subscriber.after) {
            if (comparePositions(position, subscriber.after) <= 0) continue;
            subscriber.after = null;
          }
          if (!slow.has(subscriber.socket) && !this.#send(subscriber, payload)) slow.add(subscriber.socket);
        }
      }
    }
    for (const socket of slow) this.drop(socket);
  }

  /** Sends what a subscription missed since its cursor; false when the cache no longer holds all of it. */
  #replay(socket: WebSocket, id: string, subscription: ActiveSubscription): boolean {
    if (!subscription.after) return true;
    const missed = this.options.cache.since(subscription.topic, decodePosition(subscription.after));
    if (missed === "too-old") {
      socket.send(errorMessage(id, [cursorTooOld(subscription.topic)]));
      return false;
    }
    const selection = this.#selectionOf(subscription);
    const subscriber = this.#subscriber(socket, id, null);
    for (const message of missed) {
      const payload = this.#execute(selection, message);
      if (payload !== null && !this.#send(subscriber, payload)) return true;
    }
    if (missed.length > 0) subscription.after = missed[missed.length - 1]!.id;
    return true;
  }

  /** The message's result for this selection, serialized; null when the subscription's arguments filter it out. */
  #execute(selection: Selection, message: PubSubMessage): string | null {
    const result = executeSync({
      schema: this.options.schema,
      document: selection.document,
      rootValue: message,
      variableValues: selection.variables,
      operationName: selection.operationName,
    });
    if (!result.errors && Object.values(result.data ?? {}).every((value) => value === null)) return null;
    return JSON.stringify(result);
  }

  /** One send; false if the socket is gone or cannot keep up (it is then closed). */
  #send(subscriber: Subscriber, payload: string): boolean {
    const { socket } = subscriber;
    try {
      const frame = subscriber.frameStart + payload + "}";
      socket.send(frame);
      if (!this.#window.sent(socket, frame.length)) {
        socket.close(SLOW_CONSUMER.code, SLOW_CONSUMER.reason);
        return false;
      }
      return true;
    } catch {
      // Closed by the client while the close event is still on its way.
      return false;
    }
  }

  #add(socket: WebSocket, id: string, subscription: ActiveSubscription): void {
    const selection = this.#selectionOf(subscription);
    const subscriber = this.#subscriber(socket, id, subscription.after);
    selection.subscribers.add(subscriber);
    const ofSocket = this.#bySocket.get(socket) ?? this.#bySocket.set(socket, new Map()).get(socket)!;
    ofSocket.set(id, { selection, subscriber });
  }

  #subscriber(socket: WebSocket, id: string, after: string | null): Subscriber {
    return { socket, frameStart: `{"id":${JSON.stringify(id)},"type":"next","payload":`, after: after === null ? null : decodePosition(after) };
  }

  #selectionOf(subscription: ActiveSubscription): Selection {
    const key = JSON.stringify([subscription.topic, subscription.query, subscription.variables ?? null, subscription.operationName ?? null]);
    let selection = this.#selections.get(key);
    if (!selection) {
      selection = {
        key,
        topic: subscription.topic,
        document: parse(subscription.query),
        variables: subscription.variables ?? undefined,
        operationName: subscription.operationName ?? undefined,
        subscribers: new Set(),
      };
      this.#selections.set(key, selection);
    }
    return selection;
  }

  #ensureIndexed(): void {
    if (this.#indexed) return;
    this.#indexed = true;
    for (const socket of this.options.sockets()) {
      const state = socket.deserializeAttachment() as SocketState | null;
      for (const [id, subscription] of Object.entries(state?.subscriptions ?? {})) this.#add(socket, id, subscription);
    }
  }
}

import { type DocumentNode, GraphQLError, type GraphQLSchema, type OperationDefinitionNode, parse, validate } from "graphql";
import { CloseCode, type Message, MessageType, parseMessage, stringifyMessage } from "graphql-ws";
import { encodePosition } from "../event-store/position.ts";
import type { Caller, SocketAccess } from "../graphql/access.ts";
import { maskError } from "../graphql/errors.ts";
import { checkQueryLimits, checkResultSize } from "../graphql/query-limits.ts";
import { subscriptionTarget } from "./subscription-target.ts";

/**
 * graphql-transport-ws, server side, as pure decisions: given one socket's
 * state (its hibernation attachment) and one incoming frame, what to send,
 * whether to close, and the socket's next state. The Durable Object only
 * carries these out, so the protocol is testable and the DO stays thin.
 */

export type SubscriptionRequest = { query: string; variables?: Record<string, unknown> | null; operationName?: string | null };

/** A running subscription: its request, its topic, and the id of the last message it was sent up to (its cursor). */
export type ActiveSubscription = SubscriptionRequest & { topic: string; after: string | null };

/** Everything a socket needs to survive hibernation: kept in its attachment. */
export type SocketState = {
  connectedAt: number;
  /** The shard's name, told to the client in connection_ack's payload. */
  shard: string | null;
  initReceived: boolean;
  acknowledged: boolean;
  /** Who connection_init's token named; absent when anonymous or in open mode. */
  caller?: Caller;
  subscriptions: Record<string, ActiveSubscription>;
};

export type ProtocolStep = {
  send: string[];
  close?: { code: number; reason: string };
  /** A subscription this frame started: the caller replays its cursor and makes it live. */
  started?: string;
  /** A pong's payload: what the client confirms having read (see send-window.ts). */
  pong?: Record<string, unknown>;
  state: SocketState;
};

export function newSocketState(now: number, shard: string | null): SocketState {
  return { connectedAt: now, shard, initReceived: false, acknowledged: false, subscriptions: {} };
}

/** A socket still waiting for connection_init after this long is closed with 4408. */
export function initTimedOut(state: SocketState, now: number, timeoutMs: number): boolean {
  return !state.initReceived && now - state.connectedAt >= timeoutMs;
}

export async function handleFrame(schema: GraphQLSchema, state: SocketState, data: string | ArrayBuffer, access: SocketAccess): Promise<ProtocolStep> {
  let message: Message;
  try {
    // parseMessage validates the shape of every message type, so a wrong
    // field anywhere is the protocol's 4400 like graphql-ws's own server.
    message = parseMessage(typeof data === "string" ? data : new TextDecoder().decode(data));
  } catch (error) {
    return closeWith(state, CloseCode.BadRequest, reasonOf(error));
  }

  switch (message.type) {
    case MessageType.ConnectionInit: {
      if (state.initReceived) return closeWith(state, CloseCode.TooManyInitialisationRequests, "Too many initialisation requests");
      const authorization = message.payload?.["authorization"];
      // Anything but "Bearer <token>" is a token that matches none; no authorization at all is anonymous.
      const token = authorization === undefined ? undefined : (/^Bearer\s+(\S+)\s*$/i.exec(String(authorization))?.[1] ?? String(authorization));
      const caller = await access.connect(token);
      if (caller instanceof GraphQLError) return closeWith({ ...state, initReceived: true }, CloseCode.Forbidden, "Forbidden");
      const ack = state.shard ? stringifyMessage({ type: MessageType.ConnectionAck, payload: { shard: state.shard } }) : stringifyMessage({ type: MessageType.ConnectionAck });
      return { send: [ack], state: { ...state, initReceived: true, acknowledged: true, ...(caller && { caller }) } };
    }
    case MessageType.Ping:
      return { send: [stringifyMessage({ type: MessageType.Pong })], state };
    case MessageType.Pong:
      return { send: [], state, pong: message.payload ?? {} };
    case MessageType.Subscribe: {
      if (!state.acknowledged) return closeWith(state, CloseCode.Unauthorized, "Unauthorized");
      const { id, payload } = message;
      if (id in state.subscriptions) return closeWith(state, CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
      const validated = validateSubscription(schema, payload);
      const refused = "document" in validated ? await access.allow(state.caller, validated.document, validated.operation) : undefined;
      if (refused) return { send: [errorMessage(id, [refused])], state };
      const target = "document" in validated ? subscriptionTarget(schema, validated.document, validated.operation, payload.variables) : validated;
      if (!("topic" in target)) {
        // Bad documents are the client's mistake about one operation, not
        // about the protocol: answer `error` and keep the socket.
        return { send: [errorMessage(id, target instanceof GraphQLError ? [target] : target)], state };
      }
      const subscription: ActiveSubscription = {
        query: payload.query,
        variables: payload.variables ?? null,
        operationName: payload.operationName ?? null,
        topic: target.topic,
        after: target.after && encodePosition(target.after),
      };
      return { send: [], started: id, state: { ...state, subscriptions: { ...state.subscriptions, [id]: subscription } } };
    }
    case MessageType.Complete: {
      const { [message.id]: _completed, ...subscriptions } = state.subscriptions;
      return { send: [], state: { ...state, subscriptions } };
    }
    default:
      // connection_ack, next and error only ever travel server to client.
      return closeWith(state, CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
  }
}

/** An `error` message: ends that one subscription, with the same error codes as HTTP answers. */
export function errorMessage(id: string, errors: readonly GraphQLError[]): string {
  return stringifyMessage({ type: MessageType.Error, id, payload: errors.map((e) => maskError(e) as GraphQLError) });
}

type ValidSubscription = { document: DocumentNode; operation: OperationDefinitionNode };

/** Parses and validates a subscribe payload against the schema; only subscriptions are served over the socket. */
export function validateSubscription(schema: GraphQLSchema, payload: SubscriptionRequest): ValidSubscription | readonly GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(payload.query);
  } catch (error) {
    return [error instanceof GraphQLError ? error : new GraphQLError(reasonOf(error))];
  }
  // The same depth, alias and cost limits as HTTP, before the spec's rules (as there).
  const overLimits = checkQueryLimits(schema, document);
  if (overLimits.length > 0) return overLimits;
  const errors = validate(schema, document);
  if (errors.length > 0) return errors;
  const operations = document.definitions.filter((d) => d.kind === "OperationDefinition");
  const operation = payload.operationName ? operations.find((o) => o.name?.value === payload.operationName) : operations[0];
  if (!operation) return [new GraphQLError(`Unknown operation ${payload.operationName ?? ""}`.trim())];
  if (operation.operation !== "subscription") {
    return [new GraphQLError("Only subscriptions are served over the socket; send queries and mutations over HTTP")];
  }
  const tooLarge = checkResultSize(schema, document, payload.variables, payload.operationName);
  if (tooLarge) return [tooLarge];
  return { document, operation };
}

function closeWith(state: SocketState, code: number, reason: string): ProtocolStep {
  // Close reasons are limited to 123 bytes by the WebSocket protocol.
  return { send: [], close: { code, reason: reason.slice(0, 120) }, state };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

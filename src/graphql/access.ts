// Who may run which top-level field: the one place mutations, admin
// operations and order reads are told apart. Tokens come from
// `Authorization: Bearer`: the API_TOKEN and ADMIN_TOKEN secrets, or a user
// token (a JWT signed HS256 with JWT_SECRET whose `sub` is the user id).
import { GraphQLError, Kind, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import { verify } from "hono/jwt";
import { USER_ID } from "../domain/order/order.ts";
import { requiredText } from "../domain/shared/validation.ts";
import type { GraphQLContext } from "./context.ts";

/** Fields only the admin token may run; every other Mutation field needs the API token. */
export const ADMIN_FIELDS: ReadonlySet<string> = new Set([
  "rebuildProjection",
  "skipEvent",
  "stopProjection",
  "resumeProjection",
  "deadLetters",
  "commandExecutions",
  "queryExecutions",
]);

/** Order reads: in token mode they need a token, and a user token sees its own orders only. */
export const ORDER_FIELDS: ReadonlySet<string> = new Set(["order", "orders", "userOrders"]);

/**
 * The event log and what follows it whole (sagas, pub/sub messages, the
 * log's subscriptions): they carry every order's data, so in token mode they
 * need the API or admin token, as KurrentDB keeps `$all` for its admins. A
 * user token reads its own orders through ORDER_FIELDS instead.
 */
export const LOG_FIELDS: ReadonlySet<string> = new Set([
  "events",
  "recentEvents",
  "aggregateHistory",
  "aggregateState",
  "saga",
  "sagas",
  "pubsubMessages",
  "eventStream",
  "pubsubStream",
  "sagaUpdates",
]);

/** The only mutations a user token may run, on its own orders (resolvers/orders.ts). */
export const USER_MUTATIONS: ReadonlySet<string> = new Set(["createOrder", "cancelOrder"]);

type Role = "admin" | "api";

/** Who sent the request (or opened the socket), once its token is checked; absent in open mode and for anonymous public reads. */
export type Caller = { role: Role } | { role: "user"; userId: string };

/** The auth settings as the Worker sees them; secrets may be absent. */
interface AuthSettings {
  AUTH_MODE?: string;
  API_TOKEN?: string;
  ADMIN_TOKEN?: string;
  JWT_SECRET?: string;
}

export function refuse(message: string, code: "UNAUTHENTICATED" | "FORBIDDEN"): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

async function digest(value: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value)));
}

/** Compares digests of both, so the time taken says nothing about the secret. */
async function sameSecret(given: string, secret: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(secret)]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

function bearer(request: Request): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match?.[1];
}

/** The role a token grants (API_TOKEN or ADMIN_TOKEN), or an error if it is one that matches neither. */
export async function tokenRole(token: string | undefined, settings: AuthSettings): Promise<Role | undefined | GraphQLError> {
  if (token === undefined) return undefined;
  if (settings.ADMIN_TOKEN && (await sameSecret(token, settings.ADMIN_TOKEN))) return "admin";
  if (settings.API_TOKEN && (await sameSecret(token, settings.API_TOKEN))) return "api";
  return refuse("The bearer token is not valid", "UNAUTHENTICATED");
}

/**
 * The user a JWT names, if JWT_SECRET signed it (HS256), it has an `exp` and
 * has not expired, and its `sub` is a user id. A token without `exp` is
 * refused: once leaked it would be good for ever.
 */
async function tokenUser(token: string, secret: string | undefined): Promise<string | undefined> {
  if (!secret) return undefined;
  try {
    const payload = await verify(token, secret, "HS256");
    return typeof payload.sub === "string" && typeof payload.exp === "number" ? requiredText(payload.sub, USER_ID) : undefined;
  } catch {
    // Expired, badly signed, malformed or with an unusable sub: all the same to the caller.
    return undefined;
  }
}

/** Who a request's token says it comes from, or an error if it presents a token that is not valid. */
export function callerOf(request: Request, settings: AuthSettings): Promise<Caller | undefined | GraphQLError> {
  return callerOfToken(bearer(request), settings);
}

/** Who a bearer token (or none) says its holder is, or an error for a token that is not valid. */
export async function callerOfToken(token: string | undefined, settings: AuthSettings): Promise<Caller | undefined | GraphQLError> {
  const role = await tokenRole(token, settings);
  if (!(role instanceof GraphQLError)) return role && { role };
  const userId = await tokenUser(token!, settings.JWT_SECRET);
  return userId === undefined ? role : { role: "user", userId };
}

/** Names of the root fields an operation selects, through fragments at the root too. */
function rootFieldNames(selections: readonly SelectionNode[], fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>()): string[] {
  return selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(selection.selectionSet.selections, fragments, seen);
    const fragment = fragments.get(selection.name.value);
    if (!fragment || seen.has(fragment.name.value)) return [];
    seen.add(fragment.name.value);
    return rootFieldNames(fragment.selectionSet.selections, fragments, seen);
  });
}

/** What the operation needs: admin, a mutation token, the API or admin token (log reads), or any token (order reads). */
type Need = "admin" | "mutation" | "log" | "orders";

function need(operation: OperationDefinitionNode, names: readonly string[]): Need | undefined {
  if (names.some((name) => ADMIN_FIELDS.has(name))) return "admin";
  if (operation.operation === "mutation") return "mutation";
  if (names.some((name) => LOG_FIELDS.has(name))) return "log";
  return names.some((name) => ORDER_FIELDS.has(name)) ? "orders" : undefined;
}

/** For what an operator reads outside GraphQL (`/metrics`): in token mode, the admin token only. */
export async function checkAdmin(request: Request, settings: AuthSettings): Promise<GraphQLError | undefined> {
  if (settings.AUTH_MODE === "open") return undefined;
  const caller = await callerOf(request, settings);
  if (caller instanceof GraphQLError) return caller;
  if (caller === undefined) return refuse("This needs an `Authorization: Bearer <admin token>` header", "UNAUTHENTICATED");
  return caller.role === "admin" ? undefined : refuse("This needs the admin token", "FORBIDDEN");
}

/**
 * Checks before execution, so a refused operation writes nothing; gives who
 * the caller is. `caller` is asked only when the operation needs a token.
 */
export async function checkAccess(
  caller: () => Promise<Caller | undefined | GraphQLError>,
  settings: AuthSettings,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): Promise<Caller | undefined | GraphQLError> {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const names = rootFieldNames(operation.selectionSet.selections, fragments);
  const needed = need(operation, names);
  if (!needed || settings.AUTH_MODE === "open") return undefined;
  if (!settings.API_TOKEN && !settings.ADMIN_TOKEN && !settings.JWT_SECRET) {
    return refuse("Mutations, admin operations, order and log reads are refused: set the API_TOKEN, ADMIN_TOKEN and JWT_SECRET secrets, or AUTH_MODE = \"open\" to run without tokens", "FORBIDDEN");
  }
  const who = await caller();
  if (who instanceof GraphQLError) return who;
  if (who === undefined) return refuse("This operation needs an `Authorization: Bearer <token>` header", "UNAUTHENTICATED");
  if (needed === "admin" && who.role !== "admin") return refuse("This operation needs the admin token", "FORBIDDEN");
  if (needed === "log" && who.role === "user") return refuse("The event log, sagas and pub/sub messages need the API or admin token", "FORBIDDEN");
  if (needed === "mutation" && who.role === "user" && !names.every((name) => USER_MUTATIONS.has(name))) {
    return refuse(`A user token may only run ${[...USER_MUTATIONS].join(" and ")}`, "FORBIDDEN");
  }
  return who;
}

/** Refuses an operation its caller may not run, before any resolver starts. */
export function accessControl(): Plugin<GraphQLContext> {
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue as GraphQLContext;
      const operation = args.document.definitions.find(
        (d: DefinitionNode): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (args.operationName == null || d.name?.value === args.operationName),
      );
      if (!operation) return;
      const settings = context.env as unknown as AuthSettings;
      const caller = await checkAccess(() => callerOf(context.request, settings), settings, args.document, operation);
      if (caller instanceof GraphQLError) setResultAndStopExecution({ errors: [caller] });
      else context.caller = caller;
    },
  };
}

/**
 * The same rules on a GraphQL WebSocket: the caller is who connection_init's
 * token names (an invalid token closes the socket), and each subscription is
 * checked as an HTTP operation would be.
 */
export function socketAccess(settings: AuthSettings) {
  return {
    connect: async (token: string | undefined): Promise<Caller | undefined | GraphQLError> =>
      settings.AUTH_MODE === "open" ? undefined : callerOfToken(token, settings),
    allow: async (caller: Caller | undefined, document: DocumentNode, operation: OperationDefinitionNode): Promise<GraphQLError | undefined> => {
      const checked = await checkAccess(async () => caller, settings, document, operation);
      return checked instanceof GraphQLError ? checked : undefined;
    },
  };
}

export type SocketAccess = ReturnType<typeof socketAccess>;

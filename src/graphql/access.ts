// Who may run which top-level field: the one place mutations and admin
// operations are told apart. Tokens come from `Authorization: Bearer`.
import { GraphQLError, Kind, type DefinitionNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { GraphQLContext } from "./context.ts";

/** Fields only the admin token may run; every other Mutation field needs the API token. */
export const ADMIN_FIELDS: ReadonlySet<string> = new Set([
  "rebuildProjection",
  "skipEvent",
  "stopProjection",
  "resumeProjection",
  "deadLetters",
]);

type Role = "admin" | "api";

/** The auth settings as the Worker sees them; secrets may be absent. */
interface AuthSettings {
  AUTH_MODE?: string;
  API_TOKEN?: string;
  ADMIN_TOKEN?: string;
}

function refuse(message: string, code: "UNAUTHENTICATED" | "FORBIDDEN"): GraphQLError {
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

/** The role a token grants (none for no token), or an error for a token that matches none. Also used by the subscription socket. */
export async function tokenRole(token: string | undefined, settings: AuthSettings): Promise<Role | undefined | GraphQLError> {
  if (token === undefined) return undefined;
  if (settings.ADMIN_TOKEN && (await sameSecret(token, settings.ADMIN_TOKEN))) return "admin";
  if (settings.API_TOKEN && (await sameSecret(token, settings.API_TOKEN))) return "api";
  return refuse("The bearer token is not valid", "UNAUTHENTICATED");
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

/** The role the operation needs, if any. */
function requiredRole(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): Role | undefined {
  if (rootFieldNames(operation.selectionSet.selections, fragments).some((name) => ADMIN_FIELDS.has(name))) return "admin";
  return operation.operation === "mutation" ? "api" : undefined;
}

/** Checks before execution, so a refused operation writes nothing. */
export async function checkAccess(request: Request, settings: AuthSettings, document: DocumentNode, operation: OperationDefinitionNode): Promise<GraphQLError | undefined> {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const needed = requiredRole(operation, fragments);
  if (!needed || settings.AUTH_MODE === "open") return undefined;
  if (!settings.API_TOKEN && !settings.ADMIN_TOKEN) {
    return refuse("Mutations and admin operations are refused: set the API_TOKEN and ADMIN_TOKEN secrets, or AUTH_MODE = \"open\" to run without tokens", "FORBIDDEN");
  }
  const role = await tokenRole(bearer(request), settings);
  if (role instanceof GraphQLError) return role;
  if (role === undefined) return refuse("This operation needs an `Authorization: Bearer <token>` header", "UNAUTHENTICATED");
  if (needed === "admin" && role !== "admin") return refuse("This operation needs the admin token", "FORBIDDEN");
  return undefined;
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
      const error = await checkAccess(context.request, context.env as unknown as AuthSettings, args.document, operation);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

// The one mapping from errors to GraphQL errors: a DomainError keeps its
// message and code; anything unexpected becomes INTERNAL without its details.
import { GraphQLError } from "graphql";
import { translateStoreError } from "../commands/store-errors.ts";
import { asRetryable } from "../db/transient-errors.ts";
import { DomainError } from "../domain/shared/errors.ts";
import { logLine } from "../telemetry/log.ts";

export function maskError(error: unknown): Error {
  // A broken connection is worth a retry (UNAVAILABLE), not an alarm (INTERNAL).
  const original = asRetryable(translateStoreError(error instanceof GraphQLError ? (error.originalError ?? error) : error));
  const located = error instanceof GraphQLError ? error : undefined;
  if (original instanceof DomainError) {
    return new GraphQLError(original.message, {
      nodes: located?.nodes,
      path: located?.path,
      extensions: { code: original.code, ...(Object.keys(original.details).length ? { details: original.details } : {}) },
    });
  }
  // Errors graphql-js and yoga raise themselves (a malformed body, syntax,
  // validation, variables) are the request's fault: keep their message and
  // code (VALIDATION_ERROR when they have none), never the parser's internals.
  const raised = located ?? (original instanceof GraphQLError ? original : undefined);
  if (raised && (raised.extensions?.code !== undefined || raised.originalError == null || raised.originalError instanceof GraphQLError)) {
    const { originalError: _internals, ...extensions } = raised.extensions ?? {};
    return new GraphQLError(raised.message, { nodes: raised.nodes, path: raised.path, extensions: { ...extensions, code: extensions.code ?? "VALIDATION_ERROR" } });
  }
  logLine("error", "unexpected error", {
    error: original instanceof Error ? original.message : String(original),
    stack: original instanceof Error ? (original.stack ?? null) : null,
  });
  return new GraphQLError("Internal server error", {
    nodes: located?.nodes,
    path: located?.path,
    extensions: { code: "INTERNAL" },
  });
}

// The one mapping from errors to GraphQL errors: a DomainError keeps its
// message and code; anything unexpected becomes INTERNAL without its details.
import { GraphQLError } from "graphql";
import { translateStoreError } from "../commands/store-errors.ts";
import { asRetryable } from "../db/transient-errors.ts";
import { DomainError } from "../domain/shared/errors.ts";

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
  // Errors graphql-js and yoga raise themselves (syntax, validation, variables) carry their own codes.
  if (original instanceof GraphQLError) return original;
  console.error("unexpected error", original);
  return new GraphQLError("Internal server error", {
    nodes: located?.nodes,
    path: located?.path,
    extensions: { code: "INTERNAL" },
  });
}

// How much one GraphQL document may ask for, checked on the parsed document
// before graphql-js's own validation and before execution, so neither a wide
// nor a deep nor a fragment-multiplied document costs more than its parse.
// The counting is GraphQL Armor's (each rule walks a fragment once and reuses
// its count, so nested fragments that spread the next several times are
// counted as the work they multiply to, in time linear in the document).
import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { GraphQLError, validate, type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule } from "graphql";
import type { Plugin } from "graphql-yoga";

export const QUERY_LIMITS = {
  /** Nesting of fields, fragments included (`{ product { category { parent { id } } } }` is 4). */
  maxDepth: 10,
  /** Aliased fields in one operation: each alias is another run of its resolver. */
  maxAliases: 30,
  /** Armor's cost: 1 per scalar, 2 per object, nested levels weigh 1.5 times more. */
  maxCost: 5_000,
} as const;

type Reason = "QUERY_TOO_DEEP" | "TOO_MANY_ALIASES" | "QUERY_TOO_COSTLY";

/** Armor reports "Syntax Error: <what>"; the answer is a VALIDATION_ERROR with a reason. */
function reportAs(reason: Reason) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(
      new GraphQLError(error.message.replace(/^Syntax Error: /, ""), { extensions: { code: "VALIDATION_ERROR", details: { reason } } }),
    );
  };
}

/** The limit rules alone, for any path that validates a document (the WebSocket subscribe path too). */
export function queryLimitRules(): ValidationRule[] {
  const common = { exposeLimits: true, propagateOnRejection: false };
  return [
    maxDepthRule({ ...common, n: QUERY_LIMITS.maxDepth, onReject: [reportAs("QUERY_TOO_DEEP")] }) as unknown as ValidationRule,
    maxAliasesRule({ ...common, n: QUERY_LIMITS.maxAliases, onReject: [reportAs("TOO_MANY_ALIASES")] }) as unknown as ValidationRule,
    costLimitRule({ ...common, maxCost: QUERY_LIMITS.maxCost, onReject: [reportAs("QUERY_TOO_COSTLY")] }) as unknown as ValidationRule,
  ];
}

/** The errors for a document over a limit; empty if it is within them all. */
export function checkQueryLimits(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
  return validate(schema, document, queryLimitRules());
}

/**
 * Refuses a document over a limit before yoga runs the spec's validation rules
 * on it. Yoga's parser cache hands back the same document object for the same
 * text, so each document is counted once, as yoga caches its own validation.
 */
export function queryLimits(): Plugin {
  const checked = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  return {
    onValidate({ params, setResult }) {
      let errors = checked.get(params.documentAST);
      if (!errors) checked.set(params.documentAST, (errors = checkQueryLimits(params.schema, params.documentAST)));
      if (errors.length > 0) setResult(errors);
    },
  };
}

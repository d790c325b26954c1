// How much one GraphQL document may ask for, checked on the parsed document
// before graphql-js's own validation and before execution, so neither a wide
// nor a deep nor a fragment-multiplied document costs more than its parse.
// The counting is GraphQL Armor's (each rule walks a fragment once and reuses
// its count, so nested fragments that spread the next several times are
// counted as the work they multiply to, in time linear in the document).
import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import {
  GraphQLError,
  getNullableType,
  isIntrospectionType,
  isListType,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";
import { MAX_LIMIT } from "./arguments.ts";

export const QUERY_LIMITS = {
  /** Nesting of fields, fragments included (`{ product { category { parent { id } } } }` is 4). */
  maxDepth: 10,
  /** Aliased fields in one operation: each alias is another run of its resolver. */
  maxAliases: 30,
  /** Armor's cost: 1 per scalar, 2 per object, nested levels weigh 1.5 times more. */
  maxCost: 5_000,
  /**
   * Fields one answer may hold, each list counted at the size it may reach.
   * Armor's cost counts a list as one object, so without this a short cycle
   * (`children { parent { children { ... } } }`) asks for 100^5 objects
   * within every limit above.
   */
  maxResultFields: 100_000,
} as const;

type Reason = "QUERY_TOO_DEEP" | "TOO_MANY_ALIASES" | "QUERY_TOO_COSTLY" | "RESULT_TOO_LARGE";

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
 * A list may hold its `limit` argument's worth of items (the schema's default
 * when the client gives none), capped at MAX_LIMIT as the resolvers cap it; a
 * list without a `limit` (`Category.children`, `Order.items`) up to MAX_LIMIT.
 */
const listSizedEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  // Introspection's lists are as long as the schema is, whoever asks (GraphiQL does).
  const schemaSized = field.name.startsWith("__") || isIntrospectionType(type);
  if (schemaSized || !isListType(getNullableType(field.type))) return 1 + childComplexity;
  const limit = typeof args.limit === "number" ? Math.max(0, Math.min(args.limit, MAX_LIMIT)) : MAX_LIMIT;
  return 1 + limit * Math.max(1, childComplexity);
};

/**
 * The refusal for an operation whose answer could hold more than
 * maxResultFields fields; undefined when it fits. Runs on a document that
 * passed the other limits and the spec's validation, so walking it is cheap;
 * it needs the variables, since `limit: $n` decides the size.
 */
export function checkResultSize(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
): GraphQLError | undefined {
  let fields: number;
  try {
    fields = getComplexity({ schema, query: document, variables: variables ?? {}, operationName: operationName ?? undefined, estimators: [listSizedEstimator] });
  } catch {
    // Variables that do not coerce: execution answers that with its own error.
    return undefined;
  }
  if (fields <= QUERY_LIMITS.maxResultFields) return undefined;
  return new GraphQLError(
    `The answer could hold ${fields} fields, more than the limit of ${QUERY_LIMITS.maxResultFields}: ask for smaller pages (limit) or fewer nested lists`,
    { extensions: { code: "VALIDATION_ERROR", details: { reason: "RESULT_TOO_LARGE" } } },
  );
}

type StartingOperation = {
  args: { schema: GraphQLSchema; document: DocumentNode; variableValues?: Record<string, unknown> | null; operationName?: string | null };
  setResultAndStopExecution(result: { errors: GraphQLError[] }): void;
};

/** Execution and subscription start alike: an answer that could be too large never starts. */
function refuseTooLarge({ args, setResultAndStopExecution }: StartingOperation): void {
  const tooLarge = checkResultSize(args.schema, args.document, args.variableValues, args.operationName);
  if (tooLarge) setResultAndStopExecution({ errors: [tooLarge] });
}

/**
 * Refuses a document over a limit before yoga runs the spec's validation rules
 * on it, and an answer that would be too large before execution starts. Yoga's
 * parser cache hands back the same document object for the same text, so each
 * document's limits are counted once, as yoga caches its own validation.
 */
export function queryLimits(): Plugin {
  const checked = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  return {
    onValidate({ params, setResult }) {
      let errors = checked.get(params.documentAST);
      if (!errors) checked.set(params.documentAST, (errors = checkQueryLimits(params.schema, params.documentAST)));
      if (errors.length > 0) setResult(errors);
    },
    onExecute: refuseTooLarge,
    onSubscribe: refuseTooLarge,
  };
}

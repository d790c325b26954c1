import { type DocumentNode, type FieldNode, getArgumentValues, getVariableValues, GraphQLError, type GraphQLSchema, Kind, type OperationDefinitionNode } from "graphql";
import { decodePosition, type LogPosition } from "../event-store/position.ts";
import { maskError } from "../graphql/errors.ts";
import { TOPICS } from "./publisher.ts";

/**
 * What a validated subscription listens to: the topic its root field reads,
 * and the cursor (`after`) a reconnecting client resumes from. Validation
 * guarantees exactly one root field (graphql's single-field rule).
 */
export type SubscriptionTarget = { topic: string; after: LogPosition | null };

/** The topic each Subscription field is fed by; pubsubStream names its own. */
const TOPIC_OF_FIELD: Record<string, (args: Record<string, unknown>) => string> = {
  eventStream: () => TOPICS.events,
  sagaUpdates: () => TOPICS.sagas,
  pubsubStream: (args) => String(args["topic"]),
  dashboardStatsStream: () => TOPICS.dashboard,
};

export function subscriptionTarget(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
): SubscriptionTarget | GraphQLError {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return maskError(coerced.errors[0]) as GraphQLError;
  const field = rootField(document, operation);
  const definition = schema.getSubscriptionType()?.getFields()[field.name.value];
  const topicOf = TOPIC_OF_FIELD[field.name.value];
  if (!definition || !topicOf) return new GraphQLError(`${field.name.value} is not served over the socket`, { extensions: { code: "VALIDATION_ERROR" } });
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(definition, field, coerced.coerced);
  } catch (error) {
    return maskError(error) as GraphQLError;
  }
  const after = args["after"];
  if (typeof after !== "string") return { topic: topicOf(args), after: null };
  try {
    return { topic: topicOf(args), after: decodePosition(after) };
  } catch {
    return new GraphQLError(`after must be a message id (a log position such as "812-4051"), not "${after.slice(0, 40)}"`, {
      extensions: { code: "VALIDATION_ERROR", details: { field: "after" } },
    });
  }
}

/** The operation's one root field; fragments at the root are followed. */
function rootField(document: DocumentNode, operation: OperationDefinitionNode): FieldNode {
  let selections = operation.selectionSet.selections;
  for (;;) {
    const first = selections[0]!;
    if (first.kind === Kind.FIELD) return first;
    if (first.kind === Kind.INLINE_FRAGMENT) {
      selections = first.selectionSet.selections;
      continue;
    }
    const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === first.name.value);
    if (!fragment || fragment.kind !== Kind.FRAGMENT_DEFINITION) throw new Error(`unknown fragment ${first.name.value}`);
    selections = fragment.selectionSet.selections;
  }
}

export const CURSOR_TOO_OLD = "CURSOR_TOO_OLD";

export function cursorTooOld(topic: string): GraphQLError {
  return new GraphQLError(
    `The cursor is older than the oldest message the broadcaster still holds for topic "${topic}": query what you missed, then subscribe without after (or with the newest id you have)`,
    { extensions: { code: CURSOR_TOO_OLD } },
  );
}

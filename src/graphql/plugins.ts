import type { Plugin } from "graphql-yoga";
import type { GraphQLContext } from "./context.ts";

/** Adds `extensions.position` (and `replayed`) to a response whose mutations ran commands. */
export function positionExtension(): Plugin<GraphQLContext> {
  return {
    onExecute: () => ({
      onExecuteDone: ({ args, result, setResult }) => {
        const { position, replayed } = args.contextValue as GraphQLContext;
        if ((!position && !replayed) || Symbol.asyncIterator in result) return;
        setResult({ ...result, extensions: { ...result.extensions, ...(position ? { position } : {}), ...(replayed ? { replayed } : {}) } });
      },
    }),
  };
}

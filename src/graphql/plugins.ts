import type { Plugin } from "graphql-yoga";
import type { GraphQLContext } from "./context.ts";

/** Adds `extensions.position` to a response whose mutations wrote events. */
export function positionExtension(): Plugin<GraphQLContext> {
  return {
    onExecute: () => ({
      onExecuteDone: ({ args, result, setResult }) => {
        const position = (args.contextValue as GraphQLContext).position;
        if (!position || Symbol.asyncIterator in result) return;
        setResult({ ...result, extensions: { ...result.extensions, position } });
      },
    }),
  };
}

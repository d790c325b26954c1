// A NUL or a lone surrogate in a string cannot be stored by Postgres (its text
// has no NUL, and UTF-8 has no lone surrogates), so any string argument
// carrying one would otherwise fail deep inside as INTERNAL. Refused here once,
// for every field, literal or variable, before a resolver runs.
import { GraphQLError, Kind, visit, type DocumentNode, type ValueNode } from "graphql";
import type { Plugin } from "graphql-yoga";

const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** The path of the first string that Postgres cannot store, or undefined. */
function unstorableInValue(value: unknown, path: string): string | undefined {
  if (typeof value === "string") return UNSTORABLE.test(value) ? path : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = unstorableInValue(item, `${path}[${index}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const found = unstorableInValue(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

function unstorableInLiteral(node: ValueNode, path: string): string | undefined {
  switch (node.kind) {
    case Kind.STRING:
      return UNSTORABLE.test(node.value) ? path : undefined;
    case Kind.LIST:
      for (const [index, item] of node.values.entries()) {
        const found = unstorableInLiteral(item, `${path}[${index}]`);
        if (found) return found;
      }
      return undefined;
    case Kind.OBJECT:
      for (const field of node.fields) {
        const found = unstorableInLiteral(field.value, `${path}.${field.name.value}`);
        if (found) return found;
      }
      return undefined;
    default:
      return undefined;
  }
}

function unstorableInDocument(document: DocumentNode): string | undefined {
  let found: string | undefined;
  visit(document, {
    Field(field) {
      for (const argument of field.arguments ?? []) {
        found ??= unstorableInLiteral(argument.value, `${field.name.value}(${argument.name.value})`);
      }
    },
  });
  return found;
}

export function refuseUnstorableStrings(): Plugin {
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      const where = unstorableInDocument(args.document) ?? variablePath(args.variableValues);
      if (!where) return;
      setResultAndStopExecution({
        errors: [
          new GraphQLError(`${where} contains a NUL character or a lone surrogate, which cannot be stored`, {
            extensions: { code: "VALIDATION_ERROR", details: { field: where } },
          }),
        ],
      });
    },
  };
}

function variablePath(variables: Record<string, unknown> | null | undefined): string | undefined {
  for (const [name, value] of Object.entries(variables ?? {})) {
    const found = unstorableInValue(value, `$${name}`);
    if (found) return found;
  }
  return undefined;
}

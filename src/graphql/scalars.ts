import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

const DECIMAL = /^-?\d{1,15}(\.\d{1,2})?$/;

function parseDecimal(value: unknown): string {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !DECIMAL.test(text.trim())) {
    throw new GraphQLError(`Decimal must be a string like "19.99", got ${JSON.stringify(value)}`, {
      extensions: { code: "VALIDATION_ERROR" },
    });
  }
  return text.trim();
}

/** Money and other exact decimals, as strings ("19.99"): never a Float. */
export const DecimalScalar = new GraphQLScalarType({
  name: "Decimal",
  description: 'An exact decimal number serialized as a string, e.g. "19.99".',
  serialize: (value) => String(value),
  parseValue: parseDecimal,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING && ast.kind !== Kind.INT && ast.kind !== Kind.FLOAT) {
      throw new GraphQLError("Decimal must be a string", { nodes: ast, extensions: { code: "VALIDATION_ERROR" } });
    }
    return parseDecimal(ast.value);
  },
});

/** Arbitrary JSON (event payloads, metadata). */
export const JSONScalar = new GraphQLScalarType({
  name: "JSON",
  description: "Any JSON value.",
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: () => {
    throw new GraphQLError("JSON literals are not supported: pass JSON through variables", { extensions: { code: "VALIDATION_ERROR" } });
  },
});

export const scalarTypeDefs = /* GraphQL */ `
  scalar Decimal
  scalar JSON
`;

export const scalarResolvers = { Decimal: DecimalScalar, JSON: JSONScalar };

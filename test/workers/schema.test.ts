import { buildClientSchema, getIntrospectionQuery, lexicographicSortSchema, printSchema, type IntrospectionQuery } from "graphql";
import { expect, it } from "vitest";
import committed from "../../src/graphql/schema.graphql?raw";
import { gqlData } from "./support.ts";

it("the served schema is the committed SDL (run `npm run schema` after changing it)", async () => {
  const introspection = await gqlData<IntrospectionQuery>(getIntrospectionQuery({ descriptions: true }));
  const served = printSchema(lexicographicSortSchema(buildClientSchema(introspection)));
  expect(`${served}\n`).toBe(committed);
});

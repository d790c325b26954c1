// Every GraphQL example in the README runs, in order, without errors: the
// README's promise that they work when pasted.
import { expect, it } from "vitest";
import readme from "../../README.md?raw";
import { gql } from "./support.ts";

const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => {
  const text = match[1]!;
  const key = /^# Idempotency-Key: (\S+)/m.exec(text)?.[1];
  return { query: text.replace(/^#.*$/gm, "").trim(), key };
});

it("the README's GraphQL examples work when pasted, twice", async () => {
  expect(examples.length).toBeGreaterThan(15);
  for (const round of [1, 2]) {
    let position: string | undefined;
    for (const { query, key } of examples) {
      const headers: Record<string, string> = {};
      if (key) headers["idempotency-key"] = key;
      // What a reader does by waiting a moment: read their own writes.
      if (position && query.startsWith("{")) headers["x-min-position"] = position;
      const result = await gql(query, {}, headers);
      expect(result.errors, `round ${round}: ${query}`).toBeUndefined();
      for (const [field, value] of Object.entries(result.data ?? {})) {
        expect(value, `round ${round}: ${field} of ${query}`).not.toBeNull();
        if (Array.isArray(value)) expect(value.length, `round ${round}: ${field} of ${query}`).toBeGreaterThan(0);
      }
      position = result.extensions?.position ?? position;
    }
  }
});

import { describe, expect, it } from "vitest";
import { isQueryRequest } from "../../src/http/reader-routing.ts";

const post = (body: unknown) => new Request("http://test.local/graphql", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("reader routing", () => {
  it("sends a document's query operation to a reader and its mutation to the Worker, every time it comes back", async () => {
    const query = `query Shelf { categories(limit: 1) { id } } mutation Stock { deleteCategory(input: { id: "x" }) { id } }`;
    for (let round = 0; round < 2; round++) {
      expect(await isQueryRequest(post({ query, operationName: "Shelf" }))).toBe(true);
      expect(await isQueryRequest(post({ query, operationName: "Stock" }))).toBe(false);
      expect(await isQueryRequest(post({ query }))).toBe(false); // two operations and no name: the Worker answers the error
      expect(await isQueryRequest(post({ query: "{ __typename }" }))).toBe(true);
      expect(await isQueryRequest(post({ query: "mutation { deleteCategory(input: { id: \"x\" }) { id } }" }))).toBe(false);
      expect(await isQueryRequest(post({ query: "{ unclosed" }))).toBe(false);
    }
  });
});

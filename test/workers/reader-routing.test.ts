import { describe, expect, it } from "vitest";
import { isQueryRequest, nextReaderName } from "../../src/http/reader-routing.ts";

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

  it("hands an isolate's reads to the readers in turn, so none gets more than its share", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const name = nextReaderName(4);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(["reader-0", "reader-1", "reader-2", "reader-3"]);
    expect([...counts.values()]).toEqual([100, 100, 100, 100]);
    // Any 4 reads in a row meet 4 different readers.
    expect(new Set(Array.from({ length: 4 }, () => nextReaderName(4))).size).toBe(4);
  });
});

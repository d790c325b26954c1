// The event store's own errors reach clients with the codes they always had.
import { expect, it } from "vitest";
import { errorCode, gql } from "./support.ts";

it("a position that is not one is a VALIDATION_ERROR, as argument and as header", async () => {
  const query = `query($p: String) { category(id: "0190d000-0000-7000-8000-0000000000ee", minPosition: $p) { id } }`;
  const byArgument = await gql(query, { p: "garbage" });
  expect(errorCode(byArgument)).toBe("VALIDATION_ERROR");
  expect(byArgument.errors?.[0]?.message).toBe('"garbage" is not a log position');
  expect(errorCode(await gql(query, {}, { "x-min-position": "1-x" }))).toBe("VALIDATION_ERROR");
});

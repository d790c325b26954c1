// A consumer batch's statements go to Postgres with their parameters written in
// as literals (src/consumers/batch-statements.ts): every value a consumer passes
// must arrive exactly as the same value sent as a parameter would.
import { afterAll, describe, expect, it } from "vitest";
import { DeferredStatements, inlined, lastAnswer, sqlLiteral } from "../../src/consumers/batch-statements.ts";
import { testPool } from "../support/database.ts";

const db = testPool(2);
afterAll(() => db.end());

const awkward = ["", "O'Brien", "''", "back\\slash\\", "\\'", "line\nbreak\ttab", "$1 $2 $$ dollar", "ünïcödé 🚀", '{"json": "te\'xt"}', "--comment", "/* block */;"];

describe("statements with their parameters written in", () => {
  it.each(awkward)("sends the string %j as itself", async (value) => {
    const asParameter = await db.query("SELECT $1::text AS v", [value]);
    const asLiteral = await db.query(inlined({ text: "SELECT $1::text AS v", values: [value] }));
    expect(asLiteral.rows).toEqual(asParameter.rows);
  });

  it.each(awkward)("sends the string %j as itself whatever standard_conforming_strings says", async (value) => {
    const session = await db.connect();
    try {
      await session.query("SET standard_conforming_strings = off");
      const asParameter = await session.query("SELECT $1::text AS v", [value]);
      const asLiteral = await session.query(inlined({ text: "SELECT $1::text AS v", values: [value] }));
      expect(asLiteral.rows).toEqual(asParameter.rows);
    } finally {
      await session.query("RESET standard_conforming_strings");
      session.release();
    }
  });

  it("sends JSON text, numbers, booleans, nulls and arrays as themselves", async () => {
    const text = "SELECT $1::jsonb AS doc, $2::bigint AS big, $3::integer AS negative, $4 AS nothing, $5::boolean AS yes, $6::text[] AS names, $7::bigint[] AS sequences, $8::text[] AS empty, $9::xid8::text AS xid, $10::numeric AS tenth";
    const values = [
      JSON.stringify([{ id: "a", name: "it's \\ \"quoted\" {x,y}" }]),
      9007199254740991,
      -1,
      null,
      true,
      ["a", "b,c", "d\"e", "{f}", "g\\h", "NULL", "it's"],
      [1, 2, 3],
      [],
      "123456",
      12.5,
    ];
    const asParameter = await db.query(text, values);
    const asLiteral = await db.query(inlined({ text, values }));
    expect(asLiteral.rows).toEqual(asParameter.rows);
  });

  it("refuses what it cannot write safely", () => {
    expect(() => sqlLiteral(Number.NaN)).toThrow(TypeError);
    expect(() => sqlLiteral({ a: 1 })).toThrow(TypeError);
    expect(() => inlined({ text: "SELECT $2", values: [1] })).toThrow(RangeError);
  });

  it("runs deferred statements in order in one query, and answers the last statement's rows", async () => {
    const deferred = new DeferredStatements();
    expect((await deferred.query("SELECT $1::text AS v", ["first"])).rows).toEqual([]);
    await deferred.query({ name: "named", text: "SELECT $1::text || $2::text AS v", values: ["sec", "ond"] });
    expect(lastAnswer(await db.query(deferred.statements.join(";\n")) as never)).toMatchObject({ rows: [{ v: "second" }] });
  });
});

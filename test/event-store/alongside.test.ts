import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { AlongsideRowCountError, appendToStream, readStream, WrongExpectedVersionError } from "../../src/event-store/index.ts";
import { testPool } from "../support/database.ts";
import { rowCount } from "./support.ts";

const db = testPool(5);
afterAll(() => db.end());

const STREAM_TYPE = "category";
// Not a domain event type: the shared database also feeds the real projections.
const created = (name: string) => ({ type: "shelf.created", data: { name } });

/** The command-table row a category.created commits with. */
const insertCategory = (id: string, name: string, version = 1) =>
  sql`INSERT INTO command.categories (id, name, version) VALUES (${id}::uuid, ${name}, ${version}) RETURNING id`;

const categoryRows = (id: string) => rowCount(db, "SELECT 1 FROM command.categories WHERE id = $1", [id]);
const streamRows = (id: string) => rowCount(db, "SELECT 1 FROM event_store.streams WHERE stream_id = $1", [id]);

describe("statements committed alongside an append", () => {
  it("commit with the events and report their row counts", async () => {
    const id = randomUUID();
    const result = await appendToStream(db, STREAM_TYPE, id, [created("Books")], {
      expectedVersion: "no_stream",
      alongside: [insertCategory(id, "Books"), sql`SELECT n FROM generate_series(1, 3) AS n`, sql`SELECT 1 WHERE false`].map((statement) => ({ statement })),
    });
    expect(result.alongsideRowCounts).toEqual([1, 3, 0]);
    expect(result.nextExpectedVersion).toBe(1);
    expect(await categoryRows(id)).toBe(1);
    expect((await readStream(db, id)).map((e) => e.data)).toEqual([{ name: "Books" }]);
  });

  it("are not written when the append fails on its expected version", async () => {
    const id = randomUUID();
    await appendToStream(db, STREAM_TYPE, id, [created("Books")]);
    const rejected = appendToStream(db, STREAM_TYPE, id, [created("Books again")], {
      expectedVersion: "no_stream",
      alongside: [{ statement: insertCategory(id, "Books again") }],
    });
    await expect(rejected).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(await categoryRows(id)).toBe(0);
    expect(await readStream(db, id)).toHaveLength(1);
  });

  it("a constraint violation in one of them writes no events, and is not mistaken for a version conflict", async () => {
    const id = randomUUID();
    await db.query("INSERT INTO command.categories (id, name, version) VALUES ($1, 'Taken', 1)", [id]);
    const error = await appendToStream(db, STREAM_TYPE, id, [created("Books")], {
      expectedVersion: "no_stream",
      alongside: [{ statement: insertCategory(id, "Books") }],
    }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ code: "23505", constraint: "categories_pkey" });
    expect(await readStream(db, id)).toEqual([]);
    expect(await streamRows(id)).toBe(0);
  });

  it("an error raised while one of them runs writes no events and none of the other statements", async () => {
    const id = randomUUID();
    const error = await appendToStream(db, STREAM_TYPE, id, [created("Books")], {
      alongside: [insertCategory(id, "Books"), sql`SELECT 1 / (n - n) FROM generate_series(1, 1) AS n`].map((statement) => ({ statement })),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "22012" }); // division_by_zero
    expect(await readStream(db, id)).toEqual([]);
    expect(await streamRows(id)).toBe(0);
    expect(await categoryRows(id)).toBe(0);
  });

  it("one that returns fewer rows than its minimum fails the append, and nothing is written", async () => {
    const id = randomUUID();
    const error = await appendToStream(db, STREAM_TYPE, id, [created("Books")], {
      alongside: [
        { statement: insertCategory(id, "Books"), minRows: 1 },
        { statement: sql`SELECT 1 WHERE false` },
        { statement: sql`UPDATE command.categories SET name = 'never' WHERE id = ${id}::uuid AND version > 1 RETURNING id`, minRows: 1 },
      ],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlongsideRowCountError);
    expect(error).toMatchObject({ counts: [1, 0, 0], minimum: [1, null, 1] });
    expect(await readStream(db, id)).toEqual([]);
    expect(await streamRows(id)).toBe(0);
    expect(await categoryRows(id)).toBe(0);
  });
});

describe("an append with statements alongside, as a named statement", () => {
  // One connection, so pg_prepared_statements sees what this pool prepared.
  const one = testPool(1);
  afterAll(() => one.end());
  const preparedAppends = async () =>
    Number((await one.query<{ n: string }>("SELECT count(*) AS n FROM pg_prepared_statements WHERE name LIKE 'event_store_append_%'")).rows[0]!.n);
  const shape = (i: number) => sql`SELECT n FROM generate_series(1, ${sql.raw(String(i))}) AS n`;

  it("is prepared once per shape and connection, and runs each time with its own values", async () => {
    const before = await preparedAppends();
    for (const name of ["Lamps", "Rugs"]) {
      const id = randomUUID();
      const result = await appendToStream(one, STREAM_TYPE, id, [created(name)], { expectedVersion: "no_stream", alongside: [{ statement: insertCategory(id, name) }] });
      expect(result.alongsideRowCounts).toEqual([1]);
      expect((await readStream(one, id)).map((e) => e.data)).toEqual([{ name }]);
    }
    expect(await preparedAppends()).toBe(before + 1);
  });

  it("past 64 shapes on a connection, new shapes go unnamed and still append", async () => {
    for (let i = 1; i <= 70; i++) {
      const result = await appendToStream(one, STREAM_TYPE, randomUUID(), [created(`Shape ${i}`)], { alongside: [{ statement: shape(i) }] });
      expect(result.alongsideRowCounts).toEqual([i]);
    }
    expect(await preparedAppends()).toBe(64);
  });
});

import { inject } from "vitest";
import { createPool } from "../../src/db/connection.ts";

/** A pool to the test database, through the same driver and proxy as the Worker. */
export function testPool(max = 10) {
  return createPool({ url: inject("databaseUrl"), proxy: inject("databaseProxy") }, max);
}

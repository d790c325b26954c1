import { describe, expect, it } from "vitest";
import { asRetryable, isTransient } from "../../src/db/transient-errors.ts";
import { UnavailableError, ValidationError } from "../../src/domain/shared/errors.ts";

describe("transient errors", () => {
  it("recognizes broken connections, terminated backends and aborted Durable Objects", () => {
    expect(isTransient(Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }))).toBe(true);
    expect(isTransient(Object.assign(new Error("deadlock detected"), { code: "40P01" }))).toBe(true);
    expect(isTransient(Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" }))).toBe(true);
    expect(isTransient(Object.assign(new Error("could not obtain lock on row"), { code: "55P03" }))).toBe(true);
    expect(isTransient(new Error("Network connection lost."))).toBe(true);
    expect(isTransient(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isTransient(new Error("Application called abortAllDurableObjects()."))).toBe(true);
  });

  it("leaves real failures alone", () => {
    expect(isTransient(Object.assign(new Error("null value in column"), { code: "23502" }))).toBe(false);
    const validation = new ValidationError("bad");
    expect(asRetryable(validation)).toBe(validation);
    expect(asRetryable(new Error("Network connection lost."))).toBeInstanceOf(UnavailableError);
  });
});

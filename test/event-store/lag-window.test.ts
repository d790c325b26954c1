import { describe, expect, it } from "vitest";
import { LagWindow } from "../../src/consumers/lag.ts";

describe("LagWindow", () => {
  it("gives p50 and p99 of the last samples in numeric order", () => {
    const window = new LagWindow(100);
    expect(window.percentiles()).toEqual({ p50: null, p99: null });
    // Text order would put 100 before 2 and 9.
    for (const ms of [10, 9, 100, 2, -5]) window.add(ms);
    expect(window.percentiles()).toEqual({ p50: 9, p99: 100 });
  });

  it("forgets samples older than its size", () => {
    const window = new LagWindow(3);
    for (const ms of [1_000, 1, 2, 3]) window.add(ms);
    expect(window.percentiles()).toEqual({ p50: 2, p99: 3 });
  });
});

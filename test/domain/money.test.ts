import { describe, expect, it } from "vitest";
import { formatMoney, multiplyMoney, parseMoney } from "../../src/domain/shared/money.ts";

describe("money", () => {
  it("0.10 x 3 = 0.30 exactly (where floats give 0.30000000000000004)", () => {
    expect(0.1 * 3).not.toBe(0.3);
    expect(formatMoney(multiplyMoney(parseMoney("0.10"), 3))).toBe("0.30");
  });

  it("parses and formats amounts in minor units", () => {
    expect(parseMoney("19.99")).toBe(1999);
    expect(parseMoney("19.9")).toBe(1990);
    expect(parseMoney("19")).toBe(1900);
    expect(parseMoney(" 0.01 ")).toBe(1);
    expect(formatMoney(1999)).toBe("19.99");
    expect(formatMoney(5)).toBe("0.05");
    expect(formatMoney(100000)).toBe("1000.00");
    expect(formatMoney(-250)).toBe("-2.50");
  });

  it("sums exactly", () => {
    const total = ["19.99", "0.01", "5.55"].map((p) => parseMoney(p)).reduce((a, b) => a + b, 0);
    expect(formatMoney(total)).toBe("25.55");
  });

  it("rejects three decimals, negatives, junk and huge amounts", () => {
    for (const bad of ["1.999", "-1.00", "abc", "", "1e3", "10000000000000"]) {
      expect(() => parseMoney(bad), bad).toThrow(/price/);
    }
  });
});

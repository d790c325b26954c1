// What a name or description may contain (docs/ARCHITECTURE.md, "What names may contain").
import { describe, expect, it } from "vitest";
import { characterCount, optionalText, requiredText } from "../../src/domain/shared/validation.ts";
import { DomainError } from "../../src/domain/shared/errors.ts";

const NAME = { field: "name", max: 100 };
const DESCRIPTION = { field: "description", max: 1000, multiline: true };

function rejection(work: () => unknown): { code: string; message: string; details: Record<string, unknown> } | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  return undefined;
}

describe("names", () => {
  it("are counted in characters as people see them: 100 emoji fit in 100 characters", () => {
    const emoji = "👨‍👩‍👧".repeat(100);
    expect(characterCount(emoji)).toBe(100);
    expect(requiredText(emoji, NAME)).toBe(emoji);
    expect(rejection(() => requiredText("😀".repeat(101), NAME))).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "name", max: 100 } });
  });

  it("are NFC-normalized, so the same name is stored the same way however it was typed", () => {
    expect(requiredText("Cafe\u0301", NAME)).toBe("Caf\u00e9");
  });

  it("must contain a visible character: only zero-width or blank characters are refused", () => {
    for (const invisible of ["\u200b\u200b", "\u200d", "\ufeff\u200b", "  \u2060 "]) {
      expect(rejection(() => requiredText(invisible, NAME)), JSON.stringify(invisible)).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "name" } });
    }
    expect(requiredText("a\u200bb", NAME)).toBe("a\u200bb");
    expect(requiredText("€", NAME)).toBe("€");
  });

  it("refuse control characters, terminal escapes and bidi overrides", () => {
    for (const bad of ["a\u001b[31mred", "a\u0000b", "a\u0007", "a\u0085b", "a\u009bb", "line\nbreak", "tab\there", "evil\u202egnp.exe", "a\u2066b"]) {
      expect(rejection(() => requiredText(bad, NAME)), JSON.stringify(bad)).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "name" } });
    }
  });

  it("refuse lone surrogates (not Unicode text)", () => {
    expect(rejection(() => requiredText("a\ud800b", NAME))).toMatchObject({ code: "VALIDATION_ERROR", message: "name is not valid Unicode text" });
  });

  it("are trimmed, including a pasted trailing line break", () => {
    expect(requiredText("  Lamp\n", NAME)).toBe("Lamp");
  });

  it("cannot hide kilobytes in one character of combining marks", () => {
    expect(rejection(() => requiredText(`a${"\u0301".repeat(5000)}`, NAME))).toMatchObject({ details: { max: 100 } });
  });
});

describe("descriptions", () => {
  it("may hold line breaks and tabs (CRLF becomes LF), but no other control characters", () => {
    expect(optionalText("first line\r\nsecond\tcolumn", DESCRIPTION)).toBe("first line\nsecond\tcolumn");
    expect(rejection(() => optionalText("bell\u0007", DESCRIPTION))).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "description" } });
    expect(rejection(() => optionalText("x\u202dy", DESCRIPTION))).toMatchObject({ code: "VALIDATION_ERROR" });
  });

  it("blank is null; zero-width only is refused", () => {
    expect(optionalText("  ", DESCRIPTION)).toBeNull();
    expect(rejection(() => optionalText("\u200b", DESCRIPTION))).toMatchObject({ code: "VALIDATION_ERROR" });
  });
});

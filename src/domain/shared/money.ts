// Money is held as an integer number of minor units (cents): never a float.
import { ValidationError } from "./errors.ts";

/** Largest amount accepted: 1,000,000,000.00 in minor units. */
export const MAX_AMOUNT = 100_000_000_000;

const DECIMAL = /^(\d{1,12})(?:\.(\d{1,2}))?$/;

/** "19.99" -> 1999. Rejects negatives, more than two decimals and non-numbers. */
export function parseMoney(value: string, field = "price"): number {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw new ValidationError(`${field} must be a decimal amount with at most two decimals, like "19.99"`, { field, value });
  const amount = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  if (amount > MAX_AMOUNT) throw new ValidationError(`${field} is too large`, { field, value });
  return amount;
}

/** 1999 -> "19.99" */
export function formatMoney(amount: number): string {
  const sign = amount < 0 ? "-" : "";
  const abs = Math.abs(amount);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** unit x quantity, exact. */
export function multiplyMoney(amount: number, quantity: number): number {
  const result = amount * quantity;
  if (!Number.isSafeInteger(result)) throw new ValidationError("amount out of range", { amount, quantity });
  return result;
}

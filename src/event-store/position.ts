// A position in the global log is the pair (transaction_id, global_sequence):
// the order in which the gap-safe reader hands events out. Clients see it as
// one opaque string.
import { InvalidPositionError } from "./errors.ts";

export interface LogPosition {
  transactionId: string;
  globalSequence: number;
}

export const START: LogPosition = { transactionId: "0", globalSequence: 0 };

export function encodePosition(position: LogPosition): string {
  return `${position.transactionId}-${position.globalSequence}`;
}

export function decodePosition(encoded: string): LogPosition {
  // Sequences up to 15 digits stay exact as JavaScript numbers.
  const match = /^(\d{1,20})-(\d{1,15})$/.exec(encoded);
  if (!match) throw new InvalidPositionError(encoded);
  return { transactionId: match[1]!, globalSequence: Number(match[2]) };
}

export function comparePositions(a: LogPosition, b: LogPosition): number {
  const byTransaction = BigInt(a.transactionId) - BigInt(b.transactionId);
  if (byTransaction !== 0n) return byTransaction < 0n ? -1 : 1;
  return Math.sign(a.globalSequence - b.globalSequence);
}

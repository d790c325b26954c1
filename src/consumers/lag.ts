import type { Lag } from "./page.ts";

/** The last N commit-to-read-model delays, for p50/p99 in projectionStatus. */
export class LagWindow {
  #samples: number[] = [];

  constructor(private readonly size = 1000) {}

  add(lagMs: number): void {
    this.#samples.push(Math.max(0, lagMs));
    if (this.#samples.length > this.size) this.#samples.splice(0, this.#samples.length - this.size);
  }

  /**
   * Both figures from one sort, and a typed array's (numeric, no comparator
   * calls): two sorts of a full window per batch were about 2% of a write's CPU.
   */
  percentiles(): Lag {
    if (this.#samples.length === 0) return { p50: null, p99: null };
    const sorted = Float64Array.from(this.#samples).sort();
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
    return { p50: at(50), p99: at(99) };
  }
}

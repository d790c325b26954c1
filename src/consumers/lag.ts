/** The last N commit-to-read-model delays, for p50/p99 in projectionStatus. */
export class LagWindow {
  #samples: number[] = [];

  constructor(private readonly size = 1000) {}

  add(lagMs: number): void {
    this.#samples.push(Math.max(0, lagMs));
    if (this.#samples.length > this.size) this.#samples.splice(0, this.#samples.length - this.size);
  }

  percentile(p: number): number | null {
    if (this.#samples.length === 0) return null;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  }
}

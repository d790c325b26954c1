// The machine's 1-minute load average over a bench run: at its start and the
// highest seen, sampled each second, so every figure says how busy the
// machine was while it was taken.
import { loadavg } from "node:os";

export function currentLoad(): number {
  return loadavg()[0] ?? 0;
}

export class LoadSampler {
  readonly atStart = currentLoad();
  #peak = this.atStart;
  readonly #timer = setInterval(() => (this.#peak = Math.max(this.#peak, currentLoad())), 1000);

  get peak(): number {
    return this.#peak;
  }

  /** Stops sampling; returns the peak. */
  stop(): number {
    clearInterval(this.#timer);
    return this.#peak;
  }
}

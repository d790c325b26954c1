// The machine's 1-minute load average over a bench run: at its start and the
// highest seen, sampled each second, so every figure says how busy the
// machine was while it was taken. And the share of CPU time the hypervisor
// took (steal): on a shared VM the load average does not show it, and the
// same code ran 7x slower minutes apart with the load average at 1-3.
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";

export function currentLoad(): number {
  return loadavg()[0] ?? 0;
}

/** All CPUs' time so far and the part of it stolen, in ticks (/proc/stat); undefined off Linux. */
function cpuTicks(): { steal: number; total: number } | undefined {
  try {
    // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return { steal: fields[7] ?? 0, total: fields.reduce((sum, ticks) => sum + ticks, 0) };
  } catch {
    return undefined;
  }
}

export class LoadSampler {
  readonly atStart = currentLoad();
  readonly #ticksAtStart = cpuTicks();
  #peak = this.atStart;
  readonly #timer = setInterval(() => (this.#peak = Math.max(this.#peak, currentLoad())), 1000);

  get peak(): number {
    return this.#peak;
  }

  /** The share of all CPU time since the start that the hypervisor took (0-1), if known. */
  stealShare(): number | undefined {
    const now = cpuTicks();
    if (!now || !this.#ticksAtStart || now.total === this.#ticksAtStart.total) return undefined;
    return (now.steal - this.#ticksAtStart.steal) / (now.total - this.#ticksAtStart.total);
  }

  /** Stops sampling; returns the peak. */
  stop(): number {
    clearInterval(this.#timer);
    return this.#peak;
  }
}

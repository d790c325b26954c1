// The Prometheus text exposition format (version 0.0.4), written by hand: a
// few metric families do not justify a client library in the Worker bundle.

export type Labels = Record<string, string>;
type MetricType = "counter" | "gauge" | "histogram";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export class Exposition {
  #lines: string[] = [];

  family(name: string, type: MetricType, help: string, samples: readonly { labels?: Labels; value: number }[]): this {
    this.#lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${name} ${type}`);
    for (const sample of samples) this.#lines.push(`${name}${labelText(sample.labels)} ${numberText(sample.value)}`);
    return this;
  }

  /** A histogram from cumulative bucket counts (one per bound), its count and its sum. */
  histogram(name: string, help: string, series: readonly { labels: Labels; bounds: readonly number[]; cumulative: readonly number[]; count: number; sum: number }[]): this {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const { labels, bounds, cumulative, count, sum } of series) {
      bounds.forEach((bound, i) => this.#lines.push(`${name}_bucket${labelText({ ...labels, le: numberText(bound) })} ${cumulative[i] ?? 0}`));
      this.#lines.push(`${name}_bucket${labelText({ ...labels, le: "+Inf" })} ${count}`, `${name}_sum${labelText(labels)} ${numberText(sum)}`, `${name}_count${labelText(labels)} ${count}`);
    }
    return this;
  }

  toString(): string {
    return this.#lines.join("\n") + "\n";
  }
}

function labelText(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return "";
  return `{${entries.map(([key, value]) => `${key}="${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`).join(",")}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return String(value);
}

import { exports } from "cloudflare:workers";
import parsePrometheusTextFormat, { type ParsedFamily } from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { acknowledged } from "./socket-client.ts";
import { gqlData } from "./support.ts";

let lastText = "";

async function scrape(): Promise<Map<string, ParsedFamily>> {
  const response = await exports.default.fetch("http://test.local/metrics");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  lastText = await response.text();
  const families = parsePrometheusTextFormat(lastText);
  // The parser checks the syntax; the values must be numbers too.
  for (const family of families) {
    for (const metric of family.metrics) for (const value of [metric.value, ...Object.values(metric.buckets ?? {})]) if (value !== undefined) expect(Number(value), family.name).not.toBeNaN();
  }
  return new Map(families.map((family) => [family.name, family]));
}

/**
 * One labelled histogram series, read from the text: the parser folds all
 * series of a histogram family into one (a limitation of parse-prometheus-text-format).
 */
function histogramSeries(name: string, label: string) {
  const value = (line: string) => Number(line.slice(line.lastIndexOf(" ") + 1));
  const lines = lastText.split("\n").filter((line) => line.includes(`{${label}`) || line.includes(`,${label}`));
  const buckets = lines.filter((line) => line.startsWith(`${name}_bucket{`));
  return {
    buckets: buckets.map((line) => ({ le: /le="([^"]+)"/.exec(line)![1]!, count: value(line) })),
    count: value(lines.find((line) => line.startsWith(`${name}_count{`))!),
    sum: value(lines.find((line) => line.startsWith(`${name}_sum{`))!),
  };
}

const sample = (family: ParsedFamily | undefined, labels: Record<string, string>) =>
  family?.metrics.find((metric) => Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value));

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await check()); await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
  }
}

describe("/metrics", () => {
  it("parses as Prometheus text and counts commands by field and outcome, with duration histograms", async () => {
    const before = await scrape();
    const count = (families: Map<string, ParsedFamily>, outcome: string) => Number(sample(families.get("cqrs_commands_total"), { command: "createCategory", outcome })?.value ?? 0);
    await gqlData(`mutation { createCategory(input: { name: "Scraped" }) { id } }`);
    await exports.default.fetch("http://test.local/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `mutation { createCategory(input: { name: "" }) { id } }` }),
    });
    let after = before;

    await until(async () => {
      after = await scrape();
      return count(after, "ok") >= count(before, "ok") + 1 && count(after, "VALIDATION_ERROR") >= count(before, "VALIDATION_ERROR") + 1;
    });
    expect(after.get("cqrs_commands_total")!.type).toBe("COUNTER");

    expect(after.get("cqrs_command_duration_seconds")!.type).toBe("HISTOGRAM");
    const histogram = histogramSeries("cqrs_command_duration_seconds", 'command="createCategory"');
    expect(histogram.buckets.at(-1)).toEqual({ le: "+Inf", count: histogram.count });
    const outcomes = after.get("cqrs_commands_total")!.metrics.filter((metric) => metric.labels?.command === "createCategory");
    expect(histogram.count).toBe(outcomes.reduce((sum, metric) => sum + Number(metric.value), 0));
    const cumulative = histogram.buckets.map((bucket) => bucket.count);
    expect(cumulative).toEqual([...cumulative].sort((a, b) => a - b));
    expect(histogram.sum).toBeGreaterThanOrEqual(0);
  });

  it("reports events by type as eventStoreStats does, projection lag, sagas and open sockets", async () => {
    const client = await acknowledged();
    const families = await scrape();
    const { eventStoreStats } = await gqlData("{ eventStoreStats { eventsByType { eventType count } position } }");
    const events = families.get("cqrs_events_total")!;
    for (const { eventType, count } of eventStoreStats.eventsByType as { eventType: string; count: number }[]) {
      // The stats model may have counted a few more events between the two reads, never fewer.
      expect(Number(sample(events, { event_type: eventType })?.value)).toBeLessThanOrEqual(count);
    }
    expect(sample(families.get("cqrs_projection_events_behind"), { projection: "products" })).toBeDefined();
    expect(sample(families.get("cqrs_projection_lag_seconds"), { projection: "stats" })).toBeDefined();
    expect(sample(families.get("cqrs_sagas"), { state: "active" })).toBeDefined();
    const sockets = families.get("cqrs_open_sockets")!.metrics.reduce((sum, metric) => sum + Number(metric.value), 0);
    expect(sockets).toBeGreaterThanOrEqual(1);
    expect(families.get("cqrs_broadcaster_up")!.metrics.every((metric) => metric.value === "1")).toBe(true);
    client.socket.close(1000);
  });
});

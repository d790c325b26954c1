// parse-prometheus-text-format ships no types; what the metrics test reads of its result.
declare module "parse-prometheus-text-format" {
  export type ParsedMetric = { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string };
  export type ParsedFamily = { name: string; help: string; type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED"; metrics: ParsedMetric[] };
  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}

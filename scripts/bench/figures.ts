// How every bench section summarizes rounds and prints figures, so the
// sections and the summary of aims read the same.

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** "median (min-max)", or just the value when there is one round. */
export function spread(values: number[], format: (value: number) => string): string {
  if (values.length <= 1) return format(values[0] ?? Number.NaN);
  return `${format(median(values))} (${format(Math.min(...values))}-${format(Math.max(...values))})`;
}

export function rate(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}

export function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

export function ratio(value: number): string {
  return value.toFixed(2);
}

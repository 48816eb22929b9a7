// Percentiles and formatting for the benchmark reports.

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function summary(values: readonly number[]): { n: number; median: number; p90: number; p99: number; max: number } {
  return { n: values.length, median: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99), max: percentile(values, 100) };
}

export const ms = (v: number): string => `${v.toFixed(2)} ms`;

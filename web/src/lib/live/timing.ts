/** How long a recurring piece of work takes: the last few hundred runs, for a report. */
export class Timings {
  private readonly recent: number[] = [];
  count = 0;
  maxMs = 0;

  constructor(private readonly keep = 512) {}

  add(ms: number): void {
    this.count += 1;
    this.maxMs = Math.max(this.maxMs, ms);
    this.recent.push(ms);
    if (this.recent.length > this.keep) this.recent.shift();
  }

  /** Time `work` and keep it. */
  time<T>(work: () => T): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.add(performance.now() - start);
    }
  }

  summary() {
    const sorted = [...this.recent].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
    return { count: this.count, medianMs: at(0.5), p95Ms: at(0.95), maxMs: this.maxMs };
  }
}

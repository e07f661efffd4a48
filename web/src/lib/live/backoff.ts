/**
 * Waits between reconnects: `initialMs` doubling up to `maximumMs`, each drawn from [½, 1]
 * of that ("equal jitter"), so a fleet of browsers cut off together spreads out. The same
 * rule as the Python client (fleetyard.client.live.Backoff).
 */
export class Backoff {
  private attempt = 0;

  constructor(
    readonly initialMs = 500,
    readonly maximumMs = 30_000,
    private readonly random: () => number = Math.random,
  ) {}

  nextDelay(): number {
    const ceiling = Math.min(this.maximumMs, this.initialMs * 2 ** this.attempt);
    this.attempt += 1;
    return ceiling * (0.5 + 0.5 * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/**
 * A token bucket over what we send, kept under the server's (a burst of 20, 10 a second):
 * a message the server refuses for flooding would leave our idea of the subscription wrong.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly burst = 10,
    readonly perSecond = 5,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.tokens = burst;
    this.at = now();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond);
    this.at = now;
  }

  /** Take `count` tokens, all or none. */
  take(count = 1): boolean {
    this.refill();
    if (this.tokens < count) return false;
    this.tokens -= count;
    return true;
  }

  /** Spend a token even when there is none (a message that can't wait: the resubscribe, a ping). */
  spend(): void {
    this.refill();
    this.tokens -= 1;
  }

  /** Milliseconds until `count` tokens are there. */
  waitMs(count = 1): number {
    this.refill();
    const missing = Math.min(count, this.burst) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing / this.perSecond) * 1000);
  }
}

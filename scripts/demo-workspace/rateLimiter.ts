/** A token bucket: `capacity` tokens, refilled at `refillPerSecond`; take() spends them or says how long to wait. */
export class RateLimiter {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** Spends `cost` tokens if there are enough; otherwise returns the milliseconds until there will be. */
  take(cost = 1): { ok: true } | { ok: false; retryAfterMs: number } {
    this.refill();
    if (cost <= this.tokens) {
      this.tokens -= cost;
      return { ok: true };
    }
    const missing = cost - this.tokens;
    return { ok: false, retryAfterMs: Math.ceil((missing / this.refillPerSecond) * 1000) };
  }

  private refill(): void {
    const now = this.now();
    const elapsed = (now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.refillPerSecond);
    this.updatedAt = now;
  }
}

// Stops calling a service that keeps failing: after `threshold` failures in a
// row the circuit opens for `cooldownMs`; then one trial call is let through
// (half-open) and its outcome closes or reopens it. While it is open, callers
// wait instead of spending a retry on a call that would fail anyway.

export interface CircuitBreakerOptions {
  threshold: number;
  cooldownMs: number;
}

export type CircuitState = "closed" | "open" | "half_open";

export class CircuitBreaker {
  #failures = 0;
  #openedAt: number | null = null;
  #trialInFlight = false;

  constructor(
    readonly name: string,
    private readonly options: CircuitBreakerOptions,
  ) {}

  state(now: number): CircuitState {
    if (this.#openedAt === null) return "closed";
    return now - this.#openedAt >= this.options.cooldownMs ? "half_open" : "open";
  }

  /** When a call may be tried again; null when it may be tried now. */
  blockedUntil(now: number): number | null {
    const state = this.state(now);
    if (state === "closed") return null;
    if (state === "half_open" && !this.#trialInFlight) return null;
    // A trial is out: look again after another cool-down rather than piling on.
    return (this.#openedAt ?? now) + this.options.cooldownMs * (state === "open" ? 1 : 2);
  }

  /** Runs `call` unless the circuit is open; `isFailure` says which errors count against the service. */
  async run<T>(now: number, call: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T> {
    if (this.blockedUntil(now) !== null) throw new CircuitOpenError(this.name, this.blockedUntil(now)!);
    const trial = this.state(now) === "half_open";
    if (trial) this.#trialInFlight = true;
    try {
      const result = await call();
      this.#failures = 0;
      this.#openedAt = null;
      return result;
    } catch (error) {
      if (isFailure(error)) {
        this.#failures++;
        if (trial || this.#failures >= this.options.threshold) this.#openedAt = now;
      } else {
        // The service answered (with a refusal): it is up.
        this.#failures = 0;
        this.#openedAt = null;
      }
      throw error;
    } finally {
      if (trial) this.#trialInFlight = false;
    }
  }
}

export class CircuitOpenError extends Error {
  constructor(
    readonly service: string,
    readonly retryAt: number,
  ) {
    super(`${service} is failing: calls are paused until ${new Date(retryAt).toISOString()}`);
    this.name = "CircuitOpenError";
  }
}

// How long a saga step may take, how often it is retried and how long it
// waits between tries. The defaults are the original system's; each
// environment may scale them (tests run in milliseconds).

export type Backoff = "exponential" | "linear" | "constant";

export interface StepPolicy {
  /** An attempt that has not answered by then counts as a retryable failure (STEP_TIMEOUT). */
  timeoutMs: number;
  /** Tries after the first one: `retries: 3` means at most four attempts. */
  retries: number;
  backoff: Backoff;
  /** The first wait; the backoff shape grows it for later tries. */
  retryDelayMs: number;
}

/** The wait after attempt `failedAttempt` (1-based) failed. */
export function retryDelay(policy: StepPolicy, failedAttempt: number): number {
  switch (policy.backoff) {
    case "exponential":
      return policy.retryDelayMs * 2 ** (failedAttempt - 1);
    case "linear":
      return policy.retryDelayMs * failedAttempt;
    case "constant":
      return policy.retryDelayMs;
  }
}

/** Whether attempt `attempt` may be followed by another. */
export function mayRetry(policy: StepPolicy, attempt: number): boolean {
  return attempt <= policy.retries;
}

/** Every time and delay of the policies multiplied by `factor` (e.g. 0.001 turns seconds into milliseconds). */
export function scalePolicies<Step extends string>(policies: Record<Step, StepPolicy>, factor: number): Record<Step, StepPolicy> {
  const scaled = {} as Record<Step, StepPolicy>;
  for (const [step, policy] of Object.entries(policies) as [Step, StepPolicy][]) {
    scaled[step] = {
      ...policy,
      timeoutMs: Math.max(1, Math.round(policy.timeoutMs * factor)),
      retryDelayMs: Math.max(1, Math.round(policy.retryDelayMs * factor)),
    };
  }
  return scaled;
}

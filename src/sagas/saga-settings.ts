// Per-environment saga settings, from Worker vars (wrangler.toml [vars],
// .dev.vars, or the test pool's bindings). Unset or malformed values fall back
// to the defaults, so a deploy without them runs the original system's policies.
import { CircuitBreaker, type CircuitBreakerOptions } from "./circuit-breaker.ts";
import { DEFAULT_STEP_POLICIES, type ForwardStep } from "./order-saga-types.ts";
import { DEFAULT_SERVICE_SETTINGS, type SimulatedServiceSettings } from "./simulated-services.ts";
import { scalePolicies, type StepPolicy } from "./step-policy.ts";

export interface SagaVars {
  /** Multiplies every step timeout and retry delay (tests use 0.1: tenths of the real times). */
  SAGA_TIME_SCALE?: string;
  /** Chance (0..1) that a simulated provider call fails by itself. */
  SAGA_SERVICE_FAILURE_RATE?: string;
  SAGA_SERVICE_LATENCY_MS?: string;
  SAGA_SERVICE_SEED?: string;
  /** Consecutive provider failures that open its circuit, and how long it stays open. */
  SAGA_BREAKER_THRESHOLD?: string;
  SAGA_BREAKER_COOLDOWN_MS?: string;
}

export interface SagaSettings {
  policies: Record<ForwardStep, StepPolicy>;
  services: SimulatedServiceSettings;
  breaker: CircuitBreakerOptions;
}

export function sagaSettings(vars: SagaVars): SagaSettings {
  const scale = number(vars.SAGA_TIME_SCALE, 1, { min: 0.0001, max: 100 });
  return {
    policies: scalePolicies(DEFAULT_STEP_POLICIES, scale),
    services: {
      ...DEFAULT_SERVICE_SETTINGS,
      failureRate: number(vars.SAGA_SERVICE_FAILURE_RATE, DEFAULT_SERVICE_SETTINGS.failureRate, { min: 0, max: 1 }),
      latencyMs: number(vars.SAGA_SERVICE_LATENCY_MS, DEFAULT_SERVICE_SETTINGS.latencyMs, { min: 0, max: 60_000 }),
      // A provider that never answers gives up well after the step's deadline.
      hangMs: Math.round(DEFAULT_SERVICE_SETTINGS.hangMs * scale),
      seed: vars.SAGA_SERVICE_SEED || DEFAULT_SERVICE_SETTINGS.seed,
    },
    breaker: {
      threshold: number(vars.SAGA_BREAKER_THRESHOLD, 5, { min: 1, max: 1_000 }),
      cooldownMs: number(vars.SAGA_BREAKER_COOLDOWN_MS, Math.round(5_000 * scale), { min: 1, max: 600_000 }),
    },
  };
}

const breakers = new Map<string, CircuitBreaker>();

/**
 * One breaker per provider for the whole isolate, shared by every saga running
 * in it: the failures of one saga's calls protect the others.
 */
export function providerBreakers(options: CircuitBreakerOptions): { payment: CircuitBreaker; shipping: CircuitBreaker } {
  const get = (name: string) => {
    let breaker = breakers.get(name);
    if (!breaker) breakers.set(name, (breaker = new CircuitBreaker(name, options)));
    return breaker;
  };
  return { payment: get("payment"), shipping: get("shipping") };
}

function number(value: string | undefined, fallback: number, range: { min: number; max: number }): number {
  const parsed = value === undefined || value === "" ? NaN : Number(value);
  return Number.isFinite(parsed) && parsed >= range.min && parsed <= range.max ? parsed : fallback;
}

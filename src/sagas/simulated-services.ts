// The payment and shipping providers the saga calls, simulated as the original
// system's were. Every answer is a pure function of (seed, operation, key,
// attempt), so a run can be replayed, and a call repeated with the same key
// gets the same payment id or tracking number: the providers are idempotent
// by key, as real ones are.
//
// Forcing an outcome, for tests and demos: directives in the order's userId,
// `#<operation>=<CODE>` or `#<operation>=<CODE>*<n>` (only the first n
// attempts fail), with operation charge | refund | arrange | cancel and CODE
// one of the service's codes, or TIMEOUT (no answer). Examples:
//   "alice#charge=INSUFFICIENT_FUNDS"       payment declined for good
//   "bob#charge=SERVICE_UNAVAILABLE*2"      two failed tries, then paid
//   "carol#arrange=RESTRICTED_AREA"         shipping refused
//   "dave#arrange=TIMEOUT"                  shipping never answers

export type ServiceOperation = "charge" | "refund" | "arrange" | "cancel";

/** An answer from a provider that is not a success; `retryable` says whether trying again may help. */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

export const TRANSIENT_SERVICE_CODES = new Set(["SERVICE_UNAVAILABLE", "SERVICE_TIMEOUT"]);
const FINAL_CODES: Record<ServiceOperation, readonly string[]> = {
  charge: ["INSUFFICIENT_FUNDS", "INVALID_PAYMENT_METHOD", "FRAUD_DETECTED"],
  refund: [],
  arrange: ["INVALID_ADDRESS", "RESTRICTED_AREA"],
  cancel: [],
};

export interface SimulatedServiceSettings {
  /** Chance (0..1) that a call fails by itself; forced outcomes do not count. */
  failureRate: number;
  /** Of those failures, the share that are final (declined, refused) rather than transient. */
  finalShare: number;
  latencyMs: number;
  /** How long a call that "never answers" takes to give up. */
  hangMs: number;
  seed: string;
}

export const DEFAULT_SERVICE_SETTINGS: SimulatedServiceSettings = { failureRate: 0, finalShare: 0.5, latencyMs: 0, hangMs: 300_000, seed: "edge-cqrs" };

export interface ServiceRequest {
  /** Idempotency key: the same key gets the same answer. */
  key: string;
  attempt: number;
  orderId: string;
  userId: string;
  /** The caller stops waiting (its step's deadline): the call ends with SERVICE_TIMEOUT. */
  signal?: AbortSignal;
}

export interface PaymentService {
  charge(request: ServiceRequest & { amount: number }): Promise<{ paymentId: string }>;
  refund(request: ServiceRequest & { paymentId: string | null; amount: number }): Promise<void>;
}

export interface ShippingService {
  arrange(request: ServiceRequest & { items: { productId: string; quantity: number }[] }): Promise<{ trackingNumber: string }>;
  cancel(request: ServiceRequest & { trackingNumber: string | null }): Promise<void>;
}

export class SimulatedPaymentService implements PaymentService {
  constructor(private readonly settings: SimulatedServiceSettings = DEFAULT_SERVICE_SETTINGS) {}

  async charge(request: ServiceRequest & { amount: number }): Promise<{ paymentId: string }> {
    await answer(this.settings, "charge", request);
    return { paymentId: `pay_${hashHex(`${this.settings.seed}:${request.key}`)}` };
  }

  async refund(request: ServiceRequest & { paymentId: string | null; amount: number }): Promise<void> {
    // Refunding a charge that never happened is a no-op, as with real providers' idempotent refunds.
    await answer(this.settings, "refund", request);
  }
}

export class SimulatedShippingService implements ShippingService {
  constructor(private readonly settings: SimulatedServiceSettings = DEFAULT_SERVICE_SETTINGS) {}

  async arrange(request: ServiceRequest & { items: { productId: string; quantity: number }[] }): Promise<{ trackingNumber: string }> {
    await answer(this.settings, "arrange", request);
    return { trackingNumber: `TRK${hashHex(`${this.settings.seed}:${request.key}`).toUpperCase()}` };
  }

  async cancel(request: ServiceRequest & { trackingNumber: string | null }): Promise<void> {
    await answer(this.settings, "cancel", request);
  }
}

/** Waits the latency, then succeeds or throws what the directives or the dice say. */
async function answer(settings: SimulatedServiceSettings, operation: ServiceOperation, request: ServiceRequest): Promise<void> {
  const forced = forcedOutcome(request.userId, operation, request.attempt);
  if (forced === "TIMEOUT") {
    await sleep(settings.hangMs, request.signal);
    throw new ServiceError("SERVICE_TIMEOUT", `${operation} did not answer`, true);
  }
  if (settings.latencyMs > 0) await sleep(settings.latencyMs, request.signal);
  if (forced) throw serviceError(operation, forced);
  const roll = random(`${settings.seed}:${operation}:${request.key}:${request.attempt}`);
  if (roll >= settings.failureRate) return;
  const finals = FINAL_CODES[operation];
  // Reuse the roll: the first part of the failure band is final, the rest transient.
  const final = finals.length > 0 && roll < settings.failureRate * settings.finalShare;
  throw serviceError(operation, final ? finals[Math.floor(random(`${request.key}:code`) * finals.length)]! : "SERVICE_UNAVAILABLE");
}

function serviceError(operation: ServiceOperation, code: string): ServiceError {
  const retryable = !FINAL_CODES[operation].includes(code);
  return new ServiceError(code, `${operation} failed: ${code}`, retryable);
}

/** The outcome the userId forces on this attempt of this operation, if any. */
export function forcedOutcome(userId: string, operation: ServiceOperation, attempt: number): string | null {
  for (const match of userId.matchAll(/#(charge|refund|arrange|cancel)=([A-Z_]+)(?:\*(\d+))?/g)) {
    if (match[1] !== operation) continue;
    const times = match[3] === undefined ? Infinity : Number(match[3]);
    if (attempt <= times) return match[2]!;
  }
  return null;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timeout = () => reject(new ServiceError("SERVICE_TIMEOUT", "no answer before the caller's deadline", true));
    if (signal?.aborted) return timeout();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      timeout();
    });
  });
}

/** FNV-1a, 32 bits, with murmur3's finalizer: texts that differ in one character (an attempt number) get unrelated values. */
function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashHex(text: string): string {
  return hash32(text).toString(16).padStart(8, "0") + hash32(text, 0x9747b28c).toString(16).padStart(8, "0");
}

/** A number in [0, 1) that depends only on `text`. */
function random(text: string): number {
  return hash32(text, 0x2545f491) / 2 ** 32;
}

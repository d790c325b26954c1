import { describe, expect, it } from "vitest";
import { CircuitBreaker, CircuitOpenError } from "../../src/sagas/circuit-breaker.ts";
import { ServiceError, SimulatedPaymentService, SimulatedShippingService, forcedOutcome } from "../../src/sagas/simulated-services.ts";

const request = (over: Partial<{ key: string; attempt: number; userId: string }> = {}) => ({
  key: "saga-1:process_payment",
  attempt: 1,
  orderId: "o-1",
  userId: "u-1",
  amount: 1000,
  ...over,
});

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return error instanceof ServiceError ? error.code : String(error);
  }
}

describe("simulated payment and shipping", () => {
  it("answer the same key with the same payment id and tracking number", async () => {
    const payments = new SimulatedPaymentService();
    const a = await payments.charge(request());
    expect(await payments.charge(request({ attempt: 2 }))).toEqual(a);
    expect((await payments.charge(request({ key: "other" }))).paymentId).not.toBe(a.paymentId);
    const shipping = new SimulatedShippingService();
    const t = await shipping.arrange({ ...request(), items: [] });
    expect(t.trackingNumber).toMatch(/^TRK[0-9A-F]{16}$/);
  });

  it("follow the outcome forced in the userId, final or for the first n attempts", async () => {
    const payments = new SimulatedPaymentService();
    const declined = await codeOf(payments.charge(request({ userId: "alice#charge=INSUFFICIENT_FUNDS", attempt: 3 })));
    expect(declined).toBe("INSUFFICIENT_FUNDS");
    const flaky = "bob#charge=SERVICE_UNAVAILABLE*2";
    expect(await codeOf(payments.charge(request({ userId: flaky, attempt: 1 })))).toBe("SERVICE_UNAVAILABLE");
    expect(await codeOf(payments.charge(request({ userId: flaky, attempt: 2 })))).toBe("SERVICE_UNAVAILABLE");
    expect(await codeOf(payments.charge(request({ userId: flaky, attempt: 3 })))).toBeNull();
    expect(forcedOutcome("carol#arrange=RESTRICTED_AREA#refund=SERVICE_UNAVAILABLE", "refund", 7)).toBe("SERVICE_UNAVAILABLE");
    expect(forcedOutcome("carol#arrange=RESTRICTED_AREA", "charge", 1)).toBeNull();
    const refused = new ServiceError("x", "x", true);
    expect(refused.retryable).toBe(true);
    try {
      await new SimulatedShippingService().arrange({ ...request({ userId: "carol#arrange=RESTRICTED_AREA" }), items: [] });
    } catch (error) {
      expect(error).toMatchObject({ code: "RESTRICTED_AREA", retryable: false });
    }
  });

  it("fail at about the configured rate, the same way for the same seed", async () => {
    const settings = { failureRate: 0.2, finalShare: 0.5, latencyMs: 0, hangMs: 0, seed: "s" };
    const outcomes = async () => {
      const payments = new SimulatedPaymentService(settings);
      return Promise.all(Array.from({ length: 1000 }, (_, i) => codeOf(payments.charge(request({ key: `k${i}` })))));
    };
    const first = await outcomes();
    expect(await outcomes()).toEqual(first);
    const failures = first.filter((c) => c !== null);
    expect(failures.length).toBeGreaterThan(120);
    expect(failures.length).toBeLessThan(280);
    expect(new Set(failures)).toContain("SERVICE_UNAVAILABLE");
    expect(failures.some((c) => c !== "SERVICE_UNAVAILABLE")).toBe(true);
    // The attempts of one call fail independently: a retry is not doomed by the first failure.
    const payments = new SimulatedPaymentService(settings);
    const attempts = await Promise.all(
      Array.from({ length: 1000 }, async (_, i) => [await codeOf(payments.charge(request({ key: `r${i}`, attempt: 1 }))), await codeOf(payments.charge(request({ key: `r${i}`, attempt: 2 })))]),
    );
    const firstFailed = attempts.filter(([first]) => first === "SERVICE_UNAVAILABLE");
    expect(firstFailed.filter(([, second]) => second === "SERVICE_UNAVAILABLE").length).toBeLessThan(firstFailed.length / 2);
  });
});

describe("circuit breaker", () => {
  const failing = () => Promise.reject(new ServiceError("SERVICE_UNAVAILABLE", "down", true));
  const counts = (e: unknown) => e instanceof ServiceError && e.retryable;

  it("opens after repeated failures, lets one trial through after the cool-down, and closes on its success", async () => {
    const breaker = new CircuitBreaker("payment", { threshold: 3, cooldownMs: 1_000 });
    let calls = 0;
    const call = () => (calls++, failing());
    for (let i = 0; i < 3; i++) await expect(breaker.run(0, call, counts)).rejects.toBeInstanceOf(ServiceError);
    expect(breaker.state(10)).toBe("open");
    await expect(breaker.run(10, call, counts)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(3);
    expect(breaker.blockedUntil(10)).toBe(1_000);
    expect(breaker.state(1_000)).toBe("half_open");
    await expect(breaker.run(1_000, call, counts)).rejects.toBeInstanceOf(ServiceError);
    expect(breaker.state(1_001)).toBe("open");
    await expect(breaker.run(2_000, () => Promise.resolve("ok"), counts)).resolves.toBe("ok");
    expect(breaker.state(2_001)).toBe("closed");
  });

  it("does not count refusals (the service is up) against the service", async () => {
    const breaker = new CircuitBreaker("payment", { threshold: 2, cooldownMs: 1_000 });
    const refuse = () => Promise.reject(new ServiceError("INSUFFICIENT_FUNDS", "no", false));
    for (let i = 0; i < 5; i++) await expect(breaker.run(0, refuse, counts)).rejects.toBeInstanceOf(ServiceError);
    expect(breaker.state(0)).toBe("closed");
  });
});

// wrangler.toml deploys in token mode (secure by default); the local stack
// runs open unless AUTH_MODE says otherwise, in its environment or .dev.vars.
// Likewise without a rate limit unless RATE_LIMIT says otherwise: locally
// every client is one IP, and benchmarks must not be throttled.
import { existsSync, readFileSync } from "node:fs";

const SECRETS = ["API_TOKEN", "ADMIN_TOKEN", "JWT_SECRET"] as const;

/** The auth vars to pass to wrangler dev, and a line saying how it runs. */
export function stackAuthVars(environment: Record<string, string | undefined> = process.env): { vars: Record<string, string>; summary: string } {
  const devVars = existsSync(".dev.vars") ? readFileSync(".dev.vars", "utf8") : "";
  // .dev.vars is read by wrangler dev itself, but --var would override it.
  const modeInDevVars = /^\s*AUTH_MODE\s*=\s*"?(\w+)/m.exec(devVars)?.[1];
  const mode: string = environment.AUTH_MODE || modeInDevVars || "open";
  const vars: Record<string, string> = environment.AUTH_MODE || !modeInDevVars ? { AUTH_MODE: mode } : {};
  const rateInDevVars = /^\s*RATE_LIMIT\s*=/m.test(devVars);
  if (environment.RATE_LIMIT || !rateInDevVars) vars.RATE_LIMIT = environment.RATE_LIMIT || "off";
  for (const name of SECRETS) {
    const value = environment[name];
    if (value) vars[name] = value;
  }
  const summary =
    mode === "open"
      ? "Auth: OPEN, anyone may run mutations and admin operations (AUTH_MODE=token API_TOKEN=... ADMIN_TOKEN=... npm start to require tokens)."
      : "Auth: token mode, mutations need API_TOKEN or ADMIN_TOKEN, admin operations ADMIN_TOKEN.";
  const rate = vars.RATE_LIMIT === "off" ? " No rate limit (RATE_LIMIT=600/60 npm start for one)." : "";
  return { vars, summary: summary + rate };
}

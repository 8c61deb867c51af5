import { randomBytes } from "node:crypto";
import type { Auth101Options, PublicUser } from "@auth101/core";

/**
 * The account each server's scenarios sign up once and then sign in as. The harness makes
 * the email unique per run (see `benchEmail`), so a database kept from an earlier run is fine.
 */
export const BENCH_USER = { email: "bench@example.com", password: "bench-passphrase-7f3a9c2e" } as const;

export function benchEmail(): string {
  return `bench-${randomBytes(6).toString("hex")}@example.com`;
}

/** What a bare route answers for `GET /auth/session`: the JSON auth101 answers, without the check. */
export const BARE_SESSION_BODY: { readonly user: PublicUser } = {
  user: { id: "5f0c8a4e-3b1d-4c6e-9a2f-7d8e1b0c4a53", email: BENCH_USER.email, is_active: true },
};

/** The trivial route every server has; case 4 samples its latency. */
export const HEALTH_PATH = "/health";
export const HEALTH_BODY = { ok: true } as const;

/**
 * Brute-force protection stays ON (the counters are consumed, cleared and rewarded on every
 * sign-in, as in production); only the limits are raised so that a benchmark's thousands of
 * sign-ins from one address never trip them.
 */
export const BENCH_RATE_LIMITS = {
  signInPerAccount: { attempts: 1_000_000, windowSeconds: 60 },
  signInPerAddress: { attempts: 1_000_000, windowSeconds: 60 },
  signUpPerAddress: { attempts: 1_000_000, windowSeconds: 60 },
  passwordResetPerEmail: { attempts: 1_000_000, windowSeconds: 60 },
  passwordResetPerAddress: { attempts: 1_000_000, windowSeconds: 60 },
} as const satisfies Auth101Options["rateLimit"];

/** A fresh random secret per server process. */
export function benchSecret(): string {
  return randomBytes(32).toString("base64url");
}

// What the suites sign up with.
import { randomBytes, randomUUID } from "node:crypto";
import type { Auth101Options, UserStore } from "@auth101/core";
import { Auth101, MemoryStore } from "@auth101/core";

/** A random secret that passes the core's checks. */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function uniqueEmail(label: string): string {
  return `${label}-${randomUUID()}@example.com`;
}

export const GOOD_PASSWORD = "correct horse battery staple";

/** The secret of the integrations' own tests: fixed, so a test can build a second instance that accepts the same tokens. */
export const TEST_SECRET = "auth101-tests-secret-0123456789-abcdefghijklmnop";

/** An `Auth101` on `TEST_SECRET` that logs no failures (the tests assert on the answers instead). */
export function createTestAuth(store: UserStore = new MemoryStore(), options: Partial<Auth101Options> = {}): Auth101 {
  return new Auth101({ secret: TEST_SECRET, store, onFailure: () => {}, ...options });
}

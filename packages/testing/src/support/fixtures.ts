// What the suites sign up with.
import { randomBytes, randomUUID } from "node:crypto";

/** A random secret that passes the core's checks. */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

export function uniqueEmail(label: string): string {
  return `${label}-${randomUUID()}@example.com`;
}

export const GOOD_PASSWORD = "correct horse battery staple";

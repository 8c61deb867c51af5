import { randomBytes, randomUUID } from "node:crypto";

/**
 * What a bare route is sent in place of a session token: a string of the size and alphabet of
 * auth101's tokens (three base64url parts, as long as a real header, payload and signature),
 * so that bare and auth101 routes receive requests of the same size and the client does the
 * same work for both. The bare route never reads it.
 */
export function lookalikeToken(): string {
  const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT", kid: randomBytes(12).toString("base64url") }));
  const payload = Buffer.from(
    JSON.stringify({
      iat: 1_800_000_000,
      exp: 1_800_604_800,
      sub: randomUUID(),
      iss: "auth101",
      jti: randomUUID(),
    }),
  );
  return [header.toString("base64url"), payload.toString("base64url"), randomBytes(32).toString("base64url")].join(".");
}

import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { Auth101 } from "@auth101/core";
import { MAX_BODY_BYTES } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import type { Auth101Options } from "@auth101/core";
import { GOOD_PASSWORD, randomSecret } from "./support/fixtures.js";
import type { HttpAnswer, HttpExchange, StartConformanceServer } from "./support/http-client.js";
import { PROTECTED_PATH, bearer, describedHttp, jsonPost, sendHttp } from "./support/http-client.js";
import { ISSUER, signedToken, unsignedToken, validClaims } from "./support/tokens.js";

/** One request of the sequence and what the server answered, with ids and tokens replaced by placeholders. */
export interface TranscriptEntry {
  readonly step: string;
  readonly status: number;
  /** The headers the contract speaks of; `undefined` when absent. */
  readonly headers: {
    readonly "content-type": string | undefined;
    readonly "cache-control": string | undefined;
    readonly "www-authenticate": string | undefined;
    readonly allow: string | undefined;
    readonly "retry-after": string | undefined;
  };
  /** The body as sent; for a 404, a placeholder: frameworks word their own. */
  readonly body: string;
}

export interface HttpTranscriptOptions {
  /** Where the endpoints are mounted. Default `/auth`. */
  readonly prefix?: string;
  /**
   * Steps whose answer is the framework's own, known to differ: recorded without checking it
   * against the OpenAPI document. Every other answer must be one the document describes.
   */
  readonly knownDifferences?: readonly string[];
}

interface TranscriptState {
  readonly prefix: string;
  readonly secret: string;
  readonly store: MemoryStore;
  /** The newest one-time token emailed to each address, by kind. */
  readonly emailed: Map<string, string>;
  /** Resolves once the server's senders got emails for these `kind email` keys (they run after the answer). */
  readonly emailsSent: (keys: readonly string[]) => Promise<void>;
  readonly tokens: Map<string, string>;
  readonly userIds: Map<string, string>;
}

/** Labels under which to keep the token (and the user id) a step's answer carries. */
interface Remember {
  readonly token: string;
  readonly userId?: string;
}

type Step =
  | { readonly step: string; readonly request: (state: TranscriptState) => HttpExchange; readonly remember?: Remember }
  | { readonly step: string; readonly act: (state: TranscriptState) => Promise<void> };

const ADA = "ada@example.com";
const GRACE = "grace@example.com";
const MALLORY = "mallory@example.com";
const LINUS = "linus@example.com";
const LINUS_NEW_PASSWORD = "linus changed it 2026";
const SIGN_IN_ATTEMPTS = 3;

const at = (state: TranscriptState, path: string): string => `${state.prefix}${path}`;
const token = (state: TranscriptState, label: string): string => state.tokens.get(label) ?? "missing-token";
/** The session id (`jti`) of a remembered token. */
const sessionId = (state: TranscriptState, label: string): string => {
  const payload = token(state, label).split(".")[1] ?? "";
  const { jti } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8") || "{}") as { jti?: string };
  return jti ?? "missing-session";
};
const KEN = "ken@example.com";
const emailed = (state: TranscriptState, kind: "reset" | "verification", email: string): string =>
  state.emailed.get(`${kind} ${email}`) ?? "missing-emailed-token";
const raw =
  (
    path: string,
    contentType: string | undefined,
    body: string | Uint8Array,
    extra: Record<string, string> = {},
  ): ((state: TranscriptState) => HttpExchange) =>
  (state) => ({
    method: "POST",
    path: at(state, path),
    headers: { ...(contentType === undefined ? {} : { "content-type": contentType }), ...extra },
    body,
  });
const credentials = JSON.stringify({ email: "someone@example.com", password: GOOD_PASSWORD });

/**
 * The request sequence every integration must answer identically. Each step is one request
 * (or a change to the store between requests); the order matters (sign-up before sign-in).
 */
const STEPS: readonly Step[] = [
  {
    step: "sign-up ada",
    request: (s) => jsonPost(at(s, "/sign-up/email"), { email: ` ${ADA.toUpperCase()} `, password: GOOD_PASSWORD }),
    remember: { token: "ada", userId: "ada" },
  },
  {
    step: "sign-up grace",
    request: (s) => jsonPost(at(s, "/sign-up/email"), { email: GRACE, password: `${GOOD_PASSWORD}!` }),
    remember: { token: "grace", userId: "grace" },
  },
  {
    step: "sign-up ada again",
    request: (s) => jsonPost(at(s, "/sign-up/email"), { email: ADA, password: "another password 1" }),
  },
  {
    step: "sign-up invalid email",
    request: (s) => jsonPost(at(s, "/sign-up/email"), { email: "ada", password: GOOD_PASSWORD }),
  },
  {
    step: "sign-up short password",
    request: (s) => jsonPost(at(s, "/sign-up/email"), { email: "x@example.com", password: "short" }),
  },
  {
    step: "sign-up common password",
    request: (s) => jsonPost(at(s, "/sign-up/email"), { email: "x@example.com", password: "password123" }),
  },
  {
    step: "sign-up email a number",
    request: (s) => jsonPost(at(s, "/sign-up/email"), { email: 1, password: GOOD_PASSWORD }),
  },
  { step: "sign-up body an array", request: (s) => jsonPost(at(s, "/sign-up/email"), [ADA, GOOD_PASSWORD]) },
  { step: "sign-up body a string", request: (s) => jsonPost(at(s, "/sign-up/email"), "ada") },
  { step: "sign-up body null", request: (s) => jsonPost(at(s, "/sign-up/email"), null) },
  {
    step: "sign-in ada",
    request: (s) => jsonPost(at(s, "/sign-in/email"), { email: ADA, password: GOOD_PASSWORD }),
    remember: { token: "ada-2" },
  },
  {
    step: "sign-in wrong password",
    request: (s) => jsonPost(at(s, "/sign-in/email"), { email: ADA, password: "wrong password" }),
  },
  {
    step: "sign-in unknown email",
    request: (s) => jsonPost(at(s, "/sign-in/email"), { email: "nobody@example.com", password: "wrong password" }),
  },
  {
    step: "sign-in password too long",
    request: (s) => jsonPost(at(s, "/sign-in/email"), { email: ADA, password: "p".repeat(129) }),
  },
  {
    step: "session ada",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: bearer(token(s, "ada")) }),
  },
  {
    step: "session second token",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: bearer(token(s, "ada-2")) }),
  },
  {
    step: "session lower-case scheme, extra spaces",
    request: (s) => ({
      method: "GET",
      path: at(s, "/session"),
      headers: { authorization: `bearer    ${token(s, "ada")}` },
    }),
  },
  { step: "session no header", request: (s) => ({ method: "GET", path: at(s, "/session") }) },
  {
    step: "session empty header",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: { authorization: "" } }),
  },
  {
    step: "session Basic",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: { authorization: "Basic YTpi" } }),
  },
  {
    step: "session Bearer alone",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: { authorization: "Bearer" } }),
  },
  {
    step: "session garbage token",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: bearer("abc.def.ghi") }),
  },
  {
    step: "session alg none",
    request: (s) => ({
      method: "GET",
      path: at(s, "/session"),
      headers: bearer(unsignedToken(validClaims(s.userIds.get("ada") ?? ""))),
    }),
  },
  {
    step: "session HS512",
    request: (s) => ({
      method: "GET",
      path: at(s, "/session"),
      headers: bearer(signedToken(s.secret, validClaims(s.userIds.get("ada") ?? ""), "HS512")),
    }),
  },
  {
    step: "session unknown user",
    request: (s) => ({
      method: "GET",
      path: at(s, "/session"),
      headers: bearer(signedToken(s.secret, validClaims(randomUUID()))),
    }),
  },
  {
    step: "session with a query string",
    request: (s) => ({ method: "GET", path: `${at(s, "/session")}?a=1&b`, headers: bearer(token(s, "ada")) }),
  },
  {
    step: "protected ada",
    request: (s) => ({ method: "GET", path: PROTECTED_PATH, headers: bearer(token(s, "ada")) }),
  },
  { step: "protected no header", request: () => ({ method: "GET", path: PROTECTED_PATH }) },
  { step: "protected garbage token", request: () => ({ method: "GET", path: PROTECTED_PATH, headers: bearer("abc") }) },
  {
    step: "protected with a query string",
    request: (s) => ({ method: "GET", path: `${PROTECTED_PATH}?x=1`, headers: bearer(token(s, "ada")) }),
  },
  {
    step: "sign-out",
    request: (s) => ({ method: "POST", path: at(s, "/sign-out"), headers: bearer(token(s, "ada-2")) }),
  },
  {
    step: "sign-out with a text body",
    request: (s) => ({
      method: "POST",
      path: at(s, "/sign-out"),
      headers: { ...bearer(token(s, "ada-2")), "content-type": "text/plain" },
      body: "bye",
    }),
  },
  { step: "sign-out no header", request: (s) => ({ method: "POST", path: at(s, "/sign-out") }) },
  {
    step: "session after sign-out",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: bearer(token(s, "ada-2")) }),
  },
  {
    step: "protected after sign-out",
    request: (s) => ({ method: "GET", path: PROTECTED_PATH, headers: bearer(token(s, "ada-2")) }),
  },
  {
    step: "sign-in ada a third time",
    request: (s) => jsonPost(at(s, "/sign-in/email"), { email: ADA, password: GOOD_PASSWORD }),
    remember: { token: "ada-3" },
  },
  {
    step: "sessions ada",
    request: (s) => ({ method: "GET", path: at(s, "/sessions"), headers: bearer(token(s, "ada")) }),
  },
  {
    step: "sessions with a query string",
    request: (s) => ({ method: "GET", path: `${at(s, "/sessions")}?page=2`, headers: bearer(token(s, "ada-3")) }),
  },
  { step: "sessions no header", request: (s) => ({ method: "GET", path: at(s, "/sessions") }) },
  {
    step: "sessions signed-out token",
    request: (s) => ({ method: "GET", path: at(s, "/sessions"), headers: bearer(token(s, "ada-2")) }),
  },
  {
    step: "POST sessions",
    request: (s) => ({ method: "POST", path: at(s, "/sessions"), headers: bearer(token(s, "ada")) }),
  },
  {
    step: "end grace's session as ada",
    request: (s) => ({
      method: "DELETE",
      path: at(s, `/sessions/${sessionId(s, "grace")}`),
      headers: bearer(token(s, "ada")),
    }),
  },
  {
    step: "session grace after ada tried to end it",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: bearer(token(s, "grace")) }),
  },
  {
    step: "end an unknown session",
    request: (s) => ({ method: "DELETE", path: at(s, `/sessions/${randomUUID()}`), headers: bearer(token(s, "ada")) }),
  },
  {
    step: "end a session with a malformed id",
    request: (s) => ({ method: "DELETE", path: at(s, "/sessions/%E0%A4%A"), headers: bearer(token(s, "ada")) }),
  },
  {
    step: "end a session with a body",
    request: (s) => ({
      method: "DELETE",
      path: at(s, `/sessions/${randomUUID()}`),
      headers: { ...bearer(token(s, "ada")), "content-type": "application/json" },
      body: "{",
    }),
  },
  {
    step: "end a session, no header",
    request: (s) => ({ method: "DELETE", path: at(s, `/sessions/${sessionId(s, "ada-3")}`) }),
  },
  {
    step: "GET a session by id",
    request: (s) => ({
      method: "GET",
      path: at(s, `/sessions/${sessionId(s, "ada-3")}`),
      headers: bearer(token(s, "ada")),
    }),
  },
  {
    step: "end ada's third session",
    request: (s) => ({
      method: "DELETE",
      path: at(s, `/sessions/${sessionId(s, "ada-3")}`),
      headers: bearer(token(s, "ada")),
    }),
  },
  {
    step: "session ada after its end",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: bearer(token(s, "ada-3")) }),
  },
  {
    step: "sessions ada after one ended",
    request: (s) => ({ method: "GET", path: at(s, "/sessions"), headers: bearer(token(s, "ada")) }),
  },
  {
    step: "sessions trailing slash",
    request: (s) => ({ method: "DELETE", path: at(s, "/sessions/"), headers: bearer(token(s, "ada")) }),
  },
  {
    step: "sessions two segments",
    request: (s) => ({ method: "DELETE", path: at(s, "/sessions/a/b"), headers: bearer(token(s, "ada")) }),
  },
  {
    step: "sign-up ken",
    request: (s) => jsonPost(at(s, "/sign-up/email"), { email: KEN, password: GOOD_PASSWORD }),
    remember: { token: "ken" },
  },
  {
    step: "sign-in ken",
    request: (s) => jsonPost(at(s, "/sign-in/email"), { email: KEN, password: GOOD_PASSWORD }),
    remember: { token: "ken-2" },
  },
  {
    step: "GET sign-out all",
    request: (s) => ({ method: "GET", path: at(s, "/sign-out/all"), headers: bearer(token(s, "ken")) }),
  },
  {
    step: "sign-out all ken",
    request: (s) => ({ method: "POST", path: at(s, "/sign-out/all"), headers: bearer(token(s, "ken-2")) }),
  },
  {
    step: "session ken after sign-out all",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: bearer(token(s, "ken")) }),
  },
  {
    step: "sign-out all again",
    request: (s) => ({ method: "POST", path: at(s, "/sign-out/all"), headers: bearer(token(s, "ken-2")) }),
  },
  { step: "sign-out all no header", request: (s) => ({ method: "POST", path: at(s, "/sign-out/all") }) },
  { step: "GET sign-up", request: (s) => ({ method: "GET", path: at(s, "/sign-up/email") }) },
  {
    step: "PUT session",
    request: (s) => ({ method: "PUT", path: at(s, "/session"), headers: bearer(token(s, "ada")) }),
  },
  { step: "DELETE sign-out", request: (s) => ({ method: "DELETE", path: at(s, "/sign-out") }) },
  { step: "PATCH sign-in", request: (s) => ({ ...jsonPost(at(s, "/sign-in/email"), {}), method: "PATCH" }) },
  {
    step: "HEAD session",
    request: (s) => ({ method: "HEAD", path: at(s, "/session"), headers: bearer(token(s, "ada")) }),
  },
  { step: "OPTIONS sign-in", request: (s) => ({ method: "OPTIONS", path: at(s, "/sign-in/email") }) },
  { step: "malformed JSON", request: raw("/sign-in/email", "application/json", '{"email":') },
  { step: "empty JSON body", request: raw("/sign-in/email", "application/json", "") },
  { step: "no body, no content type", request: (s) => ({ method: "POST", path: at(s, "/sign-in/email") }) },
  { step: "text/plain body", request: raw("/sign-in/email", "text/plain", credentials) },
  {
    step: "form body",
    request: raw("/sign-in/email", "application/x-www-form-urlencoded", "email=a%40b.c&password=x"),
  },
  { step: "body without content type", request: raw("/sign-in/email", undefined, credentials) },
  {
    step: "+json content type",
    request: raw("/sign-in/email", "application/vnd.api+json", '{"email":"x","password":"y"}'),
  },
  {
    step: "charset=latin1",
    request: raw("/sign-in/email", "application/json; charset=latin1", '{"email":"x","password":"y"}'),
  },
  {
    step: "charset=utf-16",
    request: raw("/sign-in/email", "application/json; charset=utf-16", '{"email":"x","password":"y"}'),
  },
  { step: "byte order mark", request: raw("/sign-in/email", "application/json", '\uFEFF{"email":"x","password":"y"}') },
  {
    step: "gzip content encoding",
    request: raw("/sign-in/email", "application/json", gzipSync('{"email":"x","password":"y"}'), {
      "content-encoding": "gzip",
    }),
  },
  {
    step: "brotli content encoding, not compressed",
    request: raw("/sign-in/email", "application/json", '{"email":"x","password":"y"}', { "content-encoding": "br" }),
  },
  {
    step: "unknown content encoding",
    request: raw("/sign-in/email", "application/json", '{"email":"x","password":"y"}', {
      "content-encoding": "x-unknown",
    }),
  },
  {
    step: "body over the limit",
    request: raw(
      "/sign-up/email",
      "application/json",
      JSON.stringify({ email: "x", password: "y", pad: "x".repeat(MAX_BODY_BYTES) }),
    ),
  },
  {
    step: "chunked body over the limit, under 100 KB",
    request: (s) => ({
      ...jsonPost(at(s, "/sign-up/email"), { email: "x", password: "y", pad: "x".repeat(80 * 1024) }),
      chunked: true,
    }),
  },
  {
    step: "chunked body over the limit in whitespace",
    request: (s) => ({
      method: "POST",
      path: at(s, "/sign-up/email"),
      headers: { "content-type": "application/json" },
      body: `${" ".repeat(70 * 1024)}{"email":"x","password":"y"}`,
      chunked: true,
    }),
  },
  {
    step: "body of exactly the limit",
    request: raw(
      "/sign-up/email",
      "application/json",
      `{"email":"x","password":"y"}${" ".repeat(MAX_BODY_BYTES - 28)}`,
    ),
  },
  {
    step: "body over the limit, not JSON",
    request: raw("/sign-up/email", "text/plain", "x".repeat(MAX_BODY_BYTES + 1)),
  },
  {
    step: "sign-in with a query string",
    request: (s) => jsonPost(`${at(s, "/sign-in/email")}?next=%2F`, { email: "x", password: "y" }),
  },
  {
    step: "trailing slash",
    request: (s) => ({ method: "GET", path: `${at(s, "/session")}/`, headers: bearer(token(s, "ada")) }),
  },
  {
    step: "upper-case endpoint",
    request: (s) => ({ method: "GET", path: at(s, "/SESSION"), headers: bearer(token(s, "ada")) }),
  },
  {
    step: "double slash",
    request: (s) => ({ method: "GET", path: `${s.prefix}//session`, headers: bearer(token(s, "ada")) }),
  },
  {
    step: "percent-encoded endpoint",
    request: (s) => ({ method: "GET", path: at(s, "/%73ession"), headers: bearer(token(s, "ada")) }),
  },
  { step: "unknown endpoint", request: (s) => ({ method: "GET", path: at(s, "/unknown") }) },
  { step: "prefix alone", request: (s) => ({ method: "GET", path: s.prefix }) },
  // Password reset and email verification (both on, with senders that keep the tokens).
  {
    step: "sign-up ken",
    request: (s) => jsonPost(at(s, "/sign-up/email"), { email: LINUS, password: GOOD_PASSWORD }),
    remember: { token: "linus", userId: "linus" },
  },
  { step: "request reset linus", request: (s) => jsonPost(at(s, "/request-password-reset"), { email: LINUS }) },
  {
    step: "request reset unknown email",
    request: (s) => jsonPost(at(s, "/request-password-reset"), { email: "nobody@example.com" }),
  },
  {
    step: "request reset invalid email",
    request: (s) => jsonPost(at(s, "/request-password-reset"), { email: "linus" }),
  },
  { step: "request reset email missing", request: (s) => jsonPost(at(s, "/request-password-reset"), {}) },
  { step: "emails sent", act: (s) => s.emailsSent([`reset ${LINUS}`, `verification ${LINUS}`]) },
  {
    step: "reset weak password",
    request: (s) =>
      jsonPost(at(s, "/reset-password"), { token: emailed(s, "reset", LINUS), new_password: "password123" }),
  },
  {
    step: "reset linus",
    request: (s) =>
      jsonPost(at(s, "/reset-password"), { token: emailed(s, "reset", LINUS), new_password: LINUS_NEW_PASSWORD }),
  },
  {
    step: "reset with a used token",
    request: (s) =>
      jsonPost(at(s, "/reset-password"), { token: emailed(s, "reset", LINUS), new_password: LINUS_NEW_PASSWORD }),
  },
  {
    step: "reset with an unknown token",
    request: (s) => jsonPost(at(s, "/reset-password"), { token: "x".repeat(43), new_password: LINUS_NEW_PASSWORD }),
  },
  {
    step: "reset token a number",
    request: (s) => jsonPost(at(s, "/reset-password"), { token: 42, new_password: LINUS_NEW_PASSWORD }),
  },
  { step: "GET reset-password", request: (s) => ({ method: "GET", path: at(s, "/reset-password") }) },
  {
    step: "sign-in linus old password",
    request: (s) => jsonPost(at(s, "/sign-in/email"), { email: LINUS, password: GOOD_PASSWORD }),
  },
  {
    step: "sign-in linus new password",
    request: (s) => jsonPost(at(s, "/sign-in/email"), { email: LINUS, password: LINUS_NEW_PASSWORD }),
    remember: { token: "linus-2" },
  },
  {
    step: "verify linus",
    request: (s) => jsonPost(at(s, "/verify-email"), { token: emailed(s, "verification", LINUS) }),
  },
  {
    step: "verify with a used token",
    request: (s) => jsonPost(at(s, "/verify-email"), { token: emailed(s, "verification", LINUS) }),
  },
  { step: "verify body an array", request: (s) => jsonPost(at(s, "/verify-email"), ["token"]) },
  {
    step: "send verification unknown email",
    request: (s) => jsonPost(at(s, "/send-verification-email"), { email: "nobody@example.com" }),
  },
  {
    step: "send verification email null",
    request: (s) => jsonPost(at(s, "/send-verification-email"), { email: null }),
  },
  { step: "malformed JSON to verify-email", request: raw("/verify-email", "application/json", '{"token":') },
  {
    step: "change password wrong current",
    request: (s) => ({
      ...jsonPost(at(s, "/change-password"), { current_password: GOOD_PASSWORD, new_password: "whatever it is 1" }),
      headers: { "content-type": "application/json", ...bearer(token(s, "linus-2")) },
    }),
  },
  {
    step: "change password revoke_other_sessions a string",
    request: (s) => ({
      ...jsonPost(at(s, "/change-password"), {
        current_password: LINUS_NEW_PASSWORD,
        new_password: "linus changed it again",
        revoke_other_sessions: "no",
      }),
      headers: { "content-type": "application/json", ...bearer(token(s, "linus-2")) },
    }),
  },
  {
    step: "change password no header",
    request: (s) =>
      jsonPost(at(s, "/change-password"), { current_password: LINUS_NEW_PASSWORD, new_password: "x".repeat(12) }),
  },
  {
    step: "change password linus",
    request: (s) => ({
      ...jsonPost(at(s, "/change-password"), {
        current_password: LINUS_NEW_PASSWORD,
        new_password: "linus changed it again",
      }),
      headers: { "content-type": "application/json", ...bearer(token(s, "linus-2")) },
    }),
    remember: { token: "linus-3" },
  },
  {
    step: "session with the token from before the change",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: bearer(token(s, "linus-2")) }),
  },
  {
    step: "session with the token the change answered",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: bearer(token(s, "linus-3")) }),
  },
  ...Array.from(
    { length: SIGN_IN_ATTEMPTS },
    (_, attempt): Step => ({
      step: `mallory guess ${attempt + 1}`,
      request: (s) => jsonPost(at(s, "/sign-in/email"), { email: MALLORY, password: `guess ${attempt}` }),
    }),
  ),
  {
    step: "mallory throttled",
    request: (s) => jsonPost(at(s, "/sign-in/email"), { email: MALLORY, password: "guess" }),
  },
  { step: "deactivate ada", act: async (s) => s.store.setActive(s.userIds.get("ada") ?? "", false) },
  {
    step: "session deactivated",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: bearer(token(s, "ada")) }),
  },
  {
    step: "protected deactivated",
    request: (s) => ({ method: "GET", path: PROTECTED_PATH, headers: bearer(token(s, "ada")) }),
  },
  {
    step: "sign-in deactivated",
    request: (s) => jsonPost(at(s, "/sign-in/email"), { email: ADA, password: GOOD_PASSWORD }),
  },
  { step: "delete grace", act: async (s) => s.store.deleteUser(s.userIds.get("grace") ?? "") },
  {
    step: "session deleted",
    request: (s) => ({ method: "GET", path: at(s, "/session"), headers: bearer(token(s, "grace")) }),
  },
  {
    step: "sign-out deleted",
    request: (s) => ({ method: "POST", path: at(s, "/sign-out"), headers: bearer(token(s, "grace")) }),
  },
];

/**
 * Starts a server with `startServer`, sends it a fixed sequence of requests (good ones,
 * every kind of bad one, edge cases of paths, methods, bodies and headers) and returns what it
 * answered, normalized so that two integrations can be compared with `toEqual`: user and session ids,
 * tokens and session times become `<id:1>`, `<token:1>`, `<time>`, ... in order of appearance.
 */
export async function recordHttpTranscript(
  startServer: StartConformanceServer,
  options: HttpTranscriptOptions = {},
): Promise<TranscriptEntry[]> {
  const secret = randomSecret();
  const store = new MemoryStore();
  const emailedTokens = new Map<string, string>();
  const keep =
    (kind: "reset" | "verification") =>
    ({ email, token }: { email: string; token: string }): void => {
      emailedTokens.set(`${kind} ${email}`, token);
    };
  const authOptions: Auth101Options = {
    secret,
    store,
    issuer: ISSUER,
    rateLimit: { signInPerAccount: { attempts: SIGN_IN_ATTEMPTS, windowSeconds: 600 } },
    passwordReset: { send: keep("reset") },
    emailVerification: { send: keep("verification") },
    onFailure: () => {},
  };
  const auth = new Auth101(authOptions);
  const state: TranscriptState = {
    prefix: options.prefix ?? "/auth",
    secret,
    store,
    emailed: emailedTokens,
    emailsSent: async (keys) => {
      // NestJS builds its own Auth101 from the options: watch the senders' map, not an instance.
      const deadline = Date.now() + 5_000;
      while (!keys.every((key) => emailedTokens.has(key))) {
        if (Date.now() > deadline) throw new Error(`the server sent no email for ${keys.join(", ")}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    tokens: new Map(),
    userIds: new Map(),
  };
  const server = await startServer({ auth, authOptions, prefix: state.prefix });
  const described = describedHttp(server.url, { auth, prefix: state.prefix });
  const known = new Set(options.knownDifferences);
  const placeholders = new Placeholders();
  const transcript: TranscriptEntry[] = [];
  try {
    for (const step of STEPS) {
      if ("act" in step) {
        await step.act(state);
        continue;
      }
      const request = step.request(state);
      const answer = known.has(step.step) ? await sendHttp(server.url, request) : await described(request);
      if (step.remember !== undefined) remember(state, step.remember, answer);
      transcript.push(entry(step.step, answer, placeholders));
    }
  } finally {
    await server.close();
  }
  return transcript;
}

function remember(state: TranscriptState, labels: Remember, answer: HttpAnswer): void {
  const body = answer.json as { user?: { id?: unknown }; token?: unknown } | undefined;
  if (typeof body?.token === "string") state.tokens.set(labels.token, body.token);
  if (labels.userId !== undefined && typeof body?.user?.id === "string") state.userIds.set(labels.userId, body.user.id);
}

function entry(step: string, answer: HttpAnswer, placeholders: Placeholders): TranscriptEntry {
  const header = (name: string): string | undefined => answer.headers[name];
  const retryAfter = header("retry-after");
  // Paths the endpoints do not serve are the framework's to answer: only the 404 is compared.
  if (answer.status === 404) return { step, status: 404, headers: NO_HEADERS, body: "<the framework's 404>" };
  const body = placeholders.replaceIn(answer.text);
  return {
    step,
    status: answer.status,
    headers: {
      "content-type": header("content-type")?.toLowerCase(),
      "cache-control": header("cache-control"),
      "www-authenticate": header("www-authenticate"),
      allow: header("allow"),
      // The exact second depends on when the request arrived.
      "retry-after": retryAfter === undefined ? undefined : /^\d+$/.test(retryAfter) ? "<seconds>" : retryAfter,
    },
    body,
  };
}

const NO_HEADERS: TranscriptEntry["headers"] = {
  "content-type": undefined,
  "cache-control": undefined,
  "www-authenticate": undefined,
  allow: undefined,
  "retry-after": undefined,
};

class Placeholders {
  readonly #names = new Map<string, string>();
  #ids = 0;
  #tokens = 0;

  replaceIn(text: string): string {
    return text
      .replace(/"token":"([^"]+)"/g, (_match, value: string) => `"token":"${this.#name(value, "token")}"`)
      .replace(/"id":"([^"]+)"/g, (_match, value: string) => `"id":"${this.#name(value, "id")}"`)
      .replace(/"(created_at|expires_at)":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/g, '"$1":"<time>"');
  }

  #name(value: string, kind: "id" | "token"): string {
    let name = this.#names.get(value);
    if (name === undefined) {
      name = kind === "id" ? `<id:${++this.#ids}>` : `<token:${++this.#tokens}>`;
      this.#names.set(value, name);
    }
    return name;
  }
}

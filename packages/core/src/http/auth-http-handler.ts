import type { Auth101, RequestContext, SessionSummary } from "../auth101.js";
import { reportFailure, trustedOriginsOf } from "../auth101.js";
import type { AuthFailureEvent } from "../options.js";
import type { AuthError, ErrorCode, ErrorResult } from "../errors.js";
import { errorResult } from "../errors.js";
import type { PublicUser, User } from "../user.js";
import { bearerToken } from "./bearer.js";
import type { HeaderReader } from "./cookie-session.js";
import {
  CROSS_SITE_VARY,
  TRANSPORT_HEADER,
  checkCrossSite,
  expiredSessionCookie,
  requestedTransport,
  secondsUntilExpiry,
  sessionCookie,
  sessionCookieToken,
} from "./cookie-session.js";
import type { BodyFailure, RequestBody } from "./request-body.js";

/** What an integration hands the handler: a framework's request, translated. */
export interface AuthHttpRequest {
  readonly method: string;
  /** Path relative to the mount prefix, without the query string: `/sign-in/email`. */
  readonly path: string;
  /**
   * A request header by its lower-case name (`authorization`, `cookie`, `origin`, ...), as one
   * string, or `undefined` when absent.
   */
  readonly header: HeaderReader;
  /** The client's address as the framework resolved it (honouring its proxy settings). */
  readonly clientAddress?: string | undefined;
  /** Reads the body; called only by the routes that take one. */
  readonly readBody: () => Promise<RequestBody>;
}

/** Every body the endpoints answer: a success shape of docs/http-api.md, or the error envelope. */
export type AuthHttpResponseBody =
  | { readonly user: PublicUser; readonly token: string }
  | { readonly user: PublicUser }
  | { readonly success: true }
  | { readonly sessions: readonly SessionSummary[] }
  | { readonly error: AuthError };

type Success = Exclude<AuthHttpResponseBody, { readonly error: AuthError }>;

/** What the integration sends back, as is: status, headers, and `JSON.stringify(body)`. */
export interface AuthHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: AuthHttpResponseBody;
}

/** Resolves `undefined` when the path is not one of the auth endpoints: pass it on. */
export type AuthHttpHandler = (request: AuthHttpRequest) => Promise<AuthHttpResponse | undefined>;

export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_ERROR: 400,
  USER_EXISTS: 409,
  INVALID_CREDENTIALS: 401,
  INVALID_TOKEN: 401,
  UNAUTHORIZED: 401,
  USER_NOT_FOUND: 401,
  RATE_LIMITED: 429,
  STORE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
  INVALID_RESET_TOKEN: 400,
  INVALID_VERIFICATION_TOKEN: 400,
  EMAIL_NOT_VERIFIED: 403,
  FORBIDDEN: 403,
};

const BODY_FAILURES: Readonly<Record<BodyFailure, { status: number; message: string }>> = {
  malformed: { status: 400, message: "Request body must be valid JSON" },
  "unsupported-media-type": { status: 415, message: "Request body must be JSON (Content-Type: application/json)" },
  "too-large": { status: 413, message: "Request body is too large" },
};

const JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
} as const;

type Method = "GET" | "POST" | "DELETE";

type Route = {
  readonly method: Method;
  /** Relative to the mount prefix; a `:name` segment matches any one non-empty segment. */
  readonly path: string;
  /** The service operation behind the endpoint, as `onFailure` names it. */
  readonly operation: AuthFailureEvent["operation"];
  readonly respond: (
    auth: Auth101,
    request: AuthHttpRequest,
    params: Readonly<Record<string, string>>,
  ) => Promise<AuthHttpResponse>;
  /** For an optional feature: when it is off, the path is not an auth endpoint (passed on, so 404). */
  readonly enabled?: (auth: Auth101) => boolean;
};

/** The one routing table: every endpoint, in every integration, comes from here. */
const ROUTES: readonly Route[] = [
  {
    method: "POST",
    path: "/sign-up/email",
    operation: "signUp",
    respond: (auth, request) =>
      withFields(request, { email: "string", password: "string" }, ({ email, password }) =>
        auth.signUp(email, password, context(request)),
      ),
  },
  {
    method: "POST",
    path: "/sign-in/email",
    operation: "signIn",
    respond: (auth, request) =>
      withFields(request, { email: "string", password: "string" }, ({ email, password }) =>
        auth.signIn(email, password, context(request)),
      ),
  },
  {
    method: "POST",
    path: "/change-password",
    operation: "changePassword",
    respond: (auth, request) => {
      const token = sessionTokenOf(request.header);
      if (token === undefined) return Promise.resolve(errorResponse(noTokenGiven()));
      return withFields(
        request,
        { current_password: "string", new_password: "string", revoke_other_sessions: "boolean?" },
        (fields) =>
          auth.changePassword(
            token,
            fields.current_password,
            fields.new_password,
            { revokeOtherSessions: fields.revoke_other_sessions },
            context(request),
          ),
      );
    },
  },
  {
    method: "POST",
    path: "/request-password-reset",
    operation: "requestPasswordReset",
    enabled: (auth) => auth.features.passwordReset,
    respond: (auth, request) =>
      withFields(request, { email: "string" }, ({ email }) => auth.requestPasswordReset(email, context(request))),
  },
  {
    method: "POST",
    path: "/reset-password",
    operation: "resetPassword",
    enabled: (auth) => auth.features.passwordReset,
    respond: (auth, request) =>
      withFields(request, { token: "string", new_password: "string" }, ({ token, new_password }) =>
        auth.resetPassword(token, new_password),
      ),
  },
  {
    method: "POST",
    path: "/send-verification-email",
    operation: "sendVerificationEmail",
    enabled: (auth) => auth.features.emailVerification,
    respond: (auth, request) =>
      withFields(request, { email: "string" }, ({ email }) => auth.sendVerificationEmail(email, context(request))),
  },
  {
    method: "POST",
    path: "/verify-email",
    operation: "verifyEmail",
    enabled: (auth) => auth.features.emailVerification,
    respond: (auth, request) => withFields(request, { token: "string" }, ({ token }) => auth.verifyEmail(token)),
  },
  {
    method: "POST",
    path: "/sign-out",
    operation: "signOut",
    respond: (auth, request) => withBearerToken(request, (token) => auth.signOut(token)),
  },
  {
    method: "POST",
    path: "/sign-out/all",
    operation: "signOutAll",
    respond: (auth, request) => withBearerToken(request, (token) => auth.signOutAll(token)),
  },
  {
    method: "GET",
    path: "/session",
    operation: "getSession",
    respond: (auth, request) => withBearerToken(request, (token) => auth.getSession(token)),
  },
  {
    method: "GET",
    path: "/sessions",
    operation: "listSessions",
    respond: (auth, request) => withBearerToken(request, (token) => auth.listSessions(token)),
  },
  {
    method: "DELETE",
    path: "/sessions/:id",
    operation: "endSession",
    respond: (auth, request, params) => withBearerToken(request, (token) => auth.endSession(token, params["id"] ?? "")),
  },
];

const COMPILED_ROUTES = ROUTES.map((route) => ({ route, segments: route.path.split("/").slice(1) }));

/** The route a path names and its parameters (percent-decoded), or `undefined`. */
function matchRoute(path: string): { route: Route; params: Record<string, string> } | undefined {
  const given = path.split("/").slice(1);
  for (const { route, segments } of COMPILED_ROUTES) {
    if (segments.length !== given.length || !path.startsWith("/")) continue;
    const params: Record<string, string> = {};
    const matches = segments.every((segment, index) => {
      const value = given[index] as string;
      if (!segment.startsWith(":")) return segment === value;
      if (value === "") return false;
      params[segment.slice(1)] = decodeSegment(value);
      return true;
    });
    if (matches) return { route, params };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Malformed percent-encoding: kept as sent; it names no session.
    return segment;
  }
}

function context(request: AuthHttpRequest): RequestContext {
  return { clientAddress: request.clientAddress };
}

/** One auth endpoint, for routers that must list what to mount. */
export interface AuthEndpoint {
  readonly method: Method;
  /**
   * Relative to the mount prefix. A parameter is written `:name` (`/sessions/:id`), the syntax
   * Express, Koa's router and NestJS share; it matches one path segment.
   */
  readonly path: string;
}

/** Every endpoint, paths relative to the mount prefix, for routers that must list them. */
export const AUTH_ENDPOINTS: readonly AuthEndpoint[] = ROUTES.map(({ method, path }) => ({ method, path }));

/** Successful answers after which the browser's session cookie is dead: it is expired too. */
const ENDS_THE_SESSION: ReadonlySet<string> = new Set(["/sign-out", "/sign-out/all", "/reset-password"]);

/**
 * The auth endpoints (docs/http-api.md), framework-free. Integrations translate their request
 * into an {@link AuthHttpRequest}, call this, and write the {@link AuthHttpResponse} back
 * unchanged.
 */
export function createAuthHttpHandler(auth: Auth101): AuthHttpHandler {
  return async (request) => {
    const matched = matchRoute(request.path);
    if (matched === undefined) return undefined;
    const { route, params } = matched;
    if (route.enabled?.(auth) === false) return undefined;
    if (request.method.toUpperCase() !== route.method) {
      return errorResponse(errorResult("VALIDATION_ERROR", `Use ${route.method} for ${route.path}`), 405, {
        allow: route.method,
      });
    }
    const transport = transportOf(auth, request);
    if ("response" in transport) return transport.response;
    try {
      const response = await route.respond(auth, request, params);
      return transport.cookie ? toCookieTransport(response, request.path, transport) : response;
    } catch (error) {
      // The service reports its own failures; this catches what fails around it (reading the
      // body, an integration's readBody throwing), which must reach onFailure just the same.
      if (!clientWentAway(error)) reportFailure(auth, { code: "INTERNAL_ERROR", operation: route.operation, error });
      return errorResponse(errorResult("INTERNAL_ERROR", "Internal error"));
    }
  };
}

/** A client that hung up mid-body (Node's `aborted`, ECONNRESET) is no failure of ours. */
function clientWentAway(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "ECONNRESET";
}

/** Where a request's session token comes from: the `Authorization` header wins over the cookie. */
type Credential = "bearer" | "cookie" | "none";

function credentialOf(header: HeaderReader): Credential {
  if (header("authorization") !== undefined) return "bearer";
  return sessionCookieToken(header("cookie")) !== undefined ? "cookie" : "none";
}

/** The session token a request carries: the bearer token, else the session cookie's. */
function sessionTokenOf(header: HeaderReader): string | undefined {
  return header("authorization") !== undefined
    ? bearerToken(header("authorization"))
    : sessionCookieToken(header("cookie"));
}

interface TransportOfRequest {
  readonly cookie: boolean;
  readonly credential: Credential;
  /** Whether the CSRF check ran, so the answer depended on `Origin` and `Sec-Fetch-Site`. */
  readonly crossSiteChecked: boolean;
}

type Transport = TransportOfRequest | { readonly response: AuthHttpResponse };

/**
 * Whether the request speaks the cookie transport (it asks with `X-Auth101-Transport: cookie`,
 * or is authenticated by the session cookie), and, when it does and changes state, the CSRF
 * check: a refused request is answered 403 FORBIDDEN before anything runs.
 */
function transportOf(auth: Auth101, request: Pick<AuthHttpRequest, "method" | "header">): Transport {
  const requested = requestedTransport(request.header(TRANSPORT_HEADER));
  if (requested === "invalid") {
    return {
      response: errorResponse(
        errorResult("VALIDATION_ERROR", "X-Auth101-Transport must be cookie (or left out for the bearer transport)"),
      ),
    };
  }
  const credential = credentialOf(request.header);
  const cookie = requested === "cookie" || credential === "cookie";
  const crossSiteChecked = cookie && changesState(request.method);
  if (crossSiteChecked) {
    const verdict = checkCrossSite(request.header, trustedOriginsOf(auth));
    if (!verdict.allowed) {
      return { response: errorResponse(errorResult("FORBIDDEN", verdict.reason), 403, { vary: CROSS_SITE_VARY }) };
    }
  }
  return { cookie, credential, crossSiteChecked };
}

function changesState(method: string): boolean {
  const upper = method.toUpperCase();
  return upper !== "GET" && upper !== "HEAD" && upper !== "OPTIONS";
}

/**
 * A response in the cookie transport: a token moves from the body into the session cookie
 * (so the page's script never sees it), an ended session expires the cookie, and so does a
 * cookie the server no longer accepts.
 */
function toCookieTransport(
  response: AuthHttpResponse,
  path: string,
  { credential, crossSiteChecked }: TransportOfRequest,
): AuthHttpResponse {
  const headers: Record<string, string> = { ...response.headers };
  if (crossSiteChecked) headers["vary"] = CROSS_SITE_VARY;
  const body = response.body;
  if ("token" in body) {
    const { token, ...rest } = body;
    headers["set-cookie"] = sessionCookie(token, secondsUntilExpiry(token));
    return { status: response.status, headers, body: rest };
  }
  if (response.status === 200 && ENDS_THE_SESSION.has(path)) headers["set-cookie"] = expiredSessionCookie();
  if (credential === "cookie" && rejectsTheCookie(body)) headers["set-cookie"] = expiredSessionCookie();
  return { status: response.status, headers, body };
}

function rejectsTheCookie(body: AuthHttpResponseBody): boolean {
  return "error" in body && (body.error.code === "INVALID_TOKEN" || body.error.code === "USER_NOT_FOUND");
}

export type RequestAuthentication = { readonly user: User } | { readonly response: AuthHttpResponse };

/** What a guard hands {@link authenticateRequest}: the request's method and its headers. */
export interface GuardedRequest {
  readonly method: string;
  /** A request header by its lower-case name, or `undefined` when absent. */
  readonly header: HeaderReader;
}

/**
 * The "require a signed-in user" check every integration's guard makes, with the session
 * from the `Authorization` header or else the session cookie (a cookie-authenticated request
 * that changes state must pass the CSRF check): the `User`, or the 401 (403, 503) response
 * to send instead.
 */
export async function authenticateRequest(auth: Auth101, request: GuardedRequest): Promise<RequestAuthentication> {
  const transport = transportOf(auth, request);
  if ("response" in transport) return transport;
  const token = sessionTokenOf(request.header);
  const response = (result: ErrorResult): RequestAuthentication => {
    const answer = errorResponse(result);
    return { response: transport.cookie ? toCookieTransport(answer, "", transport) : answer };
  };
  if (token === undefined) return response(noTokenGiven());
  const session = await auth.authenticate(token);
  if ("error" in session) return response(session);
  return { user: session.user };
}

export type OptionalAuthentication = { readonly user: User | undefined } | { readonly response: AuthHttpResponse };

/**
 * The "sign-in optional" check for the app's own routes: the `User` when the request carries
 * a valid session, `undefined` when it carries none or one that is not accepted (anonymous,
 * as any visitor), and the 503 (or 500) response only when the check itself failed, so a
 * store outage is never mistaken for an anonymous visitor.
 */
export async function optionalAuthentication(auth: Auth101, request: GuardedRequest): Promise<OptionalAuthentication> {
  const authentication = await authenticateRequest(auth, request);
  if ("user" in authentication) return authentication;
  return authentication.response.status >= 500 ? authentication : { user: undefined };
}

function noTokenGiven(): ErrorResult {
  return errorResult(
    "UNAUTHORIZED",
    "Not signed in: no bearer token (Authorization: Bearer <token>) or session cookie",
  );
}

/** The JSON fields a route reads: required strings, and optional booleans (`"boolean?"`). */
type FieldTypes = Readonly<Record<string, "string" | "boolean?">>;
type FieldValues<Types extends FieldTypes> = {
  readonly [Name in keyof Types]: Types[Name] extends "string" ? string : boolean | undefined;
};

/** Reads the JSON body's fields, checking each one's type, then runs `action` with them. */
async function withFields<Types extends FieldTypes>(
  request: AuthHttpRequest,
  types: Types,
  action: (fields: FieldValues<Types>) => Promise<Success | ErrorResult>,
): Promise<AuthHttpResponse> {
  const fields = await readFields(request, types);
  return "response" in fields ? fields.response : toResponse(await action(fields.values));
}

async function readFields<Types extends FieldTypes>(
  request: AuthHttpRequest,
  types: Types,
): Promise<{ readonly values: FieldValues<Types> } | { readonly response: AuthHttpResponse }> {
  const body = await request.readBody();
  if (body.kind === "invalid") {
    const failure = BODY_FAILURES[body.reason];
    // The rest of an oversized body is not worth reading: close the connection after answering.
    const closeConnection = body.reason === "too-large" ? { connection: "close" } : {};
    return {
      response: errorResponse(errorResult("VALIDATION_ERROR", failure.message), failure.status, closeConnection),
    };
  }
  const fields = body.value;
  const required = Object.keys(types).filter((name) => types[name] === "string");
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
    const message = `Request body must be a JSON object with ${required.join(" and ")}`;
    return { response: errorResponse(errorResult("VALIDATION_ERROR", message)) };
  }
  const given = fields as Record<string, unknown>;
  const values: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(types)) {
    const value = Object.hasOwn(given, name) ? given[name] : undefined;
    if (type === "string") {
      if (value === undefined || value === null) {
        return { response: errorResponse(errorResult("VALIDATION_ERROR", `${name} is required`)) };
      }
      if (typeof value !== "string") {
        return { response: errorResponse(errorResult("VALIDATION_ERROR", `${name} must be a string`)) };
      }
    } else if (value !== undefined && typeof value !== "boolean") {
      return { response: errorResponse(errorResult("VALIDATION_ERROR", `${name} must be true or false`)) };
    }
    values[name] = value;
  }
  return { values: values as FieldValues<Types> };
}

async function withBearerToken(
  request: AuthHttpRequest,
  action: (token: string) => Promise<Success | ErrorResult>,
): Promise<AuthHttpResponse> {
  const token = sessionTokenOf(request.header);
  if (token === undefined) return errorResponse(noTokenGiven());
  return toResponse(await action(token));
}

function toResponse(result: Success | ErrorResult): AuthHttpResponse {
  if ("error" in result) return errorResponse(result);
  return { status: 200, headers: JSON_HEADERS, body: result };
}

function errorResponse(
  result: ErrorResult,
  status = HTTP_STATUS_BY_CODE[result.error.code],
  extraHeaders: Record<string, string> = {},
): AuthHttpResponse {
  const { code, message } = result.error;
  const headers: Record<string, string> = { ...JSON_HEADERS, ...extraHeaders };
  if (status === 401) {
    headers["www-authenticate"] =
      code === "INVALID_TOKEN" || code === "USER_NOT_FOUND"
        ? 'Bearer realm="auth101", error="invalid_token"'
        : 'Bearer realm="auth101"';
  }
  if (result.retryAfterSeconds !== undefined) headers["retry-after"] = String(result.retryAfterSeconds);
  return { status, headers, body: { error: { message, code } } };
}

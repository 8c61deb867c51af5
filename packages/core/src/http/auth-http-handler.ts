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
  /**
   * The client's address as the framework resolves it (honouring its proxy settings), for
   * the per-address limits. A function, called only by the endpoints that take a body (those
   * that throttle by address are among them), before the body is read: frameworks work the
   * address out on demand (Koa's and Express's `ip` read X-Forwarded-For and the proxy
   * setting), and the session check has no use for it.
   */
  readonly clientAddress?: () => string | undefined;
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

export const BODY_FAILURES: Readonly<Record<BodyFailure, { status: number; message: string }>> = {
  malformed: { status: 400, message: "Request body must be valid JSON" },
  "unsupported-media-type": { status: 415, message: "Request body must be JSON (Content-Type: application/json)" },
  "too-large": { status: 413, message: "Request body is too large" },
};

const JSON_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
} as const;

type Method = "GET" | "POST" | "DELETE";

/** What a route's `answer` is given: the checked body fields, the session token, the path parameters. */
interface RouteInput<Fields extends FieldTypes, Session extends boolean> {
  readonly fields: FieldValues<Fields>;
  /** The bearer token, else the session cookie's; only for a route that acts on a session. */
  readonly token: Session extends true ? string : undefined;
  readonly params: Readonly<Record<string, string>>;
  /** The client's address, for the service methods that throttle by it; only for a route that takes a body. */
  readonly context: RequestContext;
}

/** One endpoint as the table declares it; {@link route} turns it into what the handler runs. */
interface RouteSpec<Operation extends RouteOperationName, Fields extends FieldTypes, Session extends boolean> {
  readonly method: Method;
  /** Relative to the mount prefix; a `:name` segment matches any one non-empty segment. */
  readonly path: string;
  /** The service operation behind the endpoint, as `onFailure` names it. */
  readonly operation: Operation;
  /**
   * Whether it acts on the caller's session: without a bearer token or session cookie it
   * answers 401 UNAUTHORIZED before reading anything else.
   */
  readonly session: Session;
  /** The JSON body's fields it reads, each checked (`"string"` required, `"boolean?"` optional); without it the body is not read. */
  readonly fields?: Fields;
  /** For an optional feature: when it is off, the path is not an auth endpoint (passed on, so 404). */
  readonly enabled?: (auth: Auth101) => boolean;
  readonly answer: (auth: Auth101, input: RouteInput<Fields, Session>) => Promise<Success | ErrorResult>;
}

type RouteOperationName = AuthFailureEvent["operation"];

/** A route of the table; the OpenAPI document (`openapi.ts`) is generated from the same facts. */
export interface Route<Operation extends RouteOperationName = RouteOperationName> {
  readonly method: Method;
  readonly path: string;
  readonly operation: Operation;
  readonly session: boolean;
  readonly fields: FieldTypes | undefined;
  readonly enabled: ((auth: Auth101) => boolean) | undefined;
  /**
   * The route's answer to a request the handler matched to it, in the request's transport.
   * Never rejects: what fails is reported to `onFailure` and answered 500.
   */
  readonly respond: (
    auth: Auth101,
    request: AuthHttpRequest,
    params: Readonly<Record<string, string>>,
    transport: TransportOfRequest,
  ) => Promise<AuthHttpResponse>;
}

function route<
  const Operation extends RouteOperationName,
  const Fields extends FieldTypes = Record<never, never>,
  const Session extends boolean = false,
>(spec: RouteSpec<Operation, Fields, Session>): Route<Operation> {
  const { method, path, operation, session, fields, enabled, answer } = spec;
  return {
    method,
    path,
    operation,
    session,
    fields,
    enabled,
    // One async function from the request to the answer: each await between the service's
    // answer and the integration is a promise step on every request.
    respond: async (auth, request, params, transport) => {
      try {
        const token = session ? sessionTokenOf(request.header) : undefined;
        if (session && token === undefined) return inTransport(errorResponse(noTokenGiven()), request, transport);
        let values = {} as FieldValues<Fields>;
        let context: RequestContext = {};
        if (fields !== undefined) {
          // Every route that throttles by address takes a body. The address is taken first: a
          // client that half-closes after its body can leave no socket to ask once it is read.
          context = contextOf(request);
          const read = await readFields(request, fields);
          if ("response" in read) return inTransport(read.response, request, transport);
          values = read.values;
        }
        const input = { fields: values, token, params, context } as RouteInput<Fields, Session>;
        return inTransport(toResponse(await answer(auth, input)), request, transport);
      } catch (error) {
        // The service reports its own failures; this catches what fails around it (reading the
        // body, an integration's readBody throwing), which must reach onFailure just the same.
        if (!clientWentAway(error)) reportFailure(auth, { code: "INTERNAL_ERROR", operation, error });
        return errorResponse(errorResult("INTERNAL_ERROR", "Internal error"));
      }
    },
  };
}

const CREDENTIALS = { email: "string", password: "string" } as const;

/** The one routing table: every endpoint, in every integration, and the OpenAPI document, come from here. */
export const ROUTES = [
  route({
    method: "POST",
    path: "/sign-up/email",
    operation: "signUp",
    session: false,
    fields: CREDENTIALS,
    answer: (auth, { fields, context }) => auth.signUp(fields.email, fields.password, context),
  }),
  route({
    method: "POST",
    path: "/sign-in/email",
    operation: "signIn",
    session: false,
    fields: CREDENTIALS,
    answer: (auth, { fields, context }) => auth.signIn(fields.email, fields.password, context),
  }),
  route({
    method: "POST",
    path: "/change-password",
    operation: "changePassword",
    session: true,
    fields: { current_password: "string", new_password: "string", revoke_other_sessions: "boolean?" },
    answer: (auth, { token, fields, context }) =>
      auth.changePassword(
        token,
        fields.current_password,
        fields.new_password,
        { revokeOtherSessions: fields.revoke_other_sessions },
        context,
      ),
  }),
  route({
    method: "POST",
    path: "/request-password-reset",
    operation: "requestPasswordReset",
    session: false,
    enabled: (auth) => auth.features.passwordReset,
    fields: { email: "string" },
    answer: (auth, { fields, context }) => auth.requestPasswordReset(fields.email, context),
  }),
  route({
    method: "POST",
    path: "/reset-password",
    operation: "resetPassword",
    session: false,
    enabled: (auth) => auth.features.passwordReset,
    fields: { token: "string", new_password: "string" },
    answer: (auth, { fields }) => auth.resetPassword(fields.token, fields.new_password),
  }),
  route({
    method: "POST",
    path: "/send-verification-email",
    operation: "sendVerificationEmail",
    session: false,
    enabled: (auth) => auth.features.emailVerification,
    fields: { email: "string" },
    answer: (auth, { fields, context }) => auth.sendVerificationEmail(fields.email, context),
  }),
  route({
    method: "POST",
    path: "/verify-email",
    operation: "verifyEmail",
    session: false,
    enabled: (auth) => auth.features.emailVerification,
    fields: { token: "string" },
    answer: (auth, { fields }) => auth.verifyEmail(fields.token),
  }),
  route({
    method: "POST",
    path: "/sign-out",
    operation: "signOut",
    session: true,
    answer: (auth, { token }) => auth.signOut(token),
  }),
  route({
    method: "POST",
    path: "/sign-out/all",
    operation: "signOutAll",
    session: true,
    answer: (auth, { token }) => auth.signOutAll(token),
  }),
  route({
    method: "GET",
    path: "/session",
    operation: "getSession",
    session: true,
    answer: (auth, { token }) => auth.getSession(token),
  }),
  route({
    method: "GET",
    path: "/sessions",
    operation: "listSessions",
    session: true,
    answer: (auth, { token }) => auth.listSessions(token),
  }),
  route({
    method: "DELETE",
    path: "/sessions/:id",
    operation: "endSession",
    session: true,
    answer: (auth, { token, params }) => auth.endSession(token, params["id"] ?? ""),
  }),
] as const;

/** The operations the table serves, one per endpoint. */
export type RouteOperation = (typeof ROUTES)[number]["operation"];

const COMPILED_ROUTES = ROUTES.map((entry: Route, index) => ({
  route: entry,
  index,
  segments: entry.path.split("/").slice(1),
}));

/** The routes without parameters, by path: most requests are matched by one lookup. */
const STATIC_ROUTES: ReadonlyMap<string, { readonly route: Route; readonly index: number }> = new Map(
  COMPILED_ROUTES.filter(({ segments }) => !segments.some(isParameter))
    .reverse()
    .map((compiled) => [compiled.route.path, compiled]),
);
const PARAMETER_ROUTES = COMPILED_ROUTES.filter(({ segments }) => segments.some(isParameter));

function isParameter(segment: string): boolean {
  return segment.startsWith(":");
}

/** The route a path names and its parameters (percent-decoded), or `undefined`; the table's first match wins. */
function matchRoute(path: string): { route: Route; params: Record<string, string> } | undefined {
  const fixed = STATIC_ROUTES.get(path);
  let given: string[] | undefined;
  for (const { route, index, segments } of PARAMETER_ROUTES) {
    if (fixed !== undefined && fixed.index < index) break;
    given ??= path.split("/").slice(1);
    const values = given;
    if (segments.length !== values.length || !path.startsWith("/")) continue;
    const params: Record<string, string> = {};
    const matches = segments.every((segment, position) => {
      const value = values[position] as string;
      if (!isParameter(segment)) return segment === value;
      if (value === "") return false;
      params[segment.slice(1)] = decodeSegment(value);
      return true;
    });
    if (matches) return { route, params };
  }
  return fixed === undefined ? undefined : { route: fixed.route, params: {} };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Malformed percent-encoding: kept as sent; it names no session.
    return segment;
  }
}

function contextOf(request: AuthHttpRequest): RequestContext {
  return { clientAddress: request.clientAddress?.() };
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
  // Not async: the matched route's `respond` is the one promise step of the request, and what
  // throws before it still reaches the integration as a rejection.
  return (request) => {
    try {
      const matched = matchRoute(request.path);
      if (matched === undefined) return NOT_AN_AUTH_ENDPOINT;
      const { route, params } = matched;
      if (route.enabled?.(auth) === false) return NOT_AN_AUTH_ENDPOINT;
      if (request.method.toUpperCase() !== route.method) {
        return Promise.resolve(
          errorResponse(errorResult("VALIDATION_ERROR", `Use ${route.method} for ${route.path}`), 405, {
            allow: route.method,
          }),
        );
      }
      const transport = transportOf(auth, request);
      if ("response" in transport) return Promise.resolve(transport.response);
      return route.respond(auth, request, params, transport);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

const NOT_AN_AUTH_ENDPOINT: Promise<undefined> = Promise.resolve(undefined);

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
  const authorization = header("authorization");
  return authorization !== undefined ? bearerToken(authorization) : sessionCookieToken(header("cookie"));
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

function inTransport(
  response: AuthHttpResponse,
  request: AuthHttpRequest,
  transport: TransportOfRequest,
): AuthHttpResponse {
  return transport.cookie ? toCookieTransport(response, request.path, transport) : response;
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

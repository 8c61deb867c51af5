import type { Auth101, RequestContext } from "../auth101.js";
import { reportFailure } from "../auth101.js";
import type { AuthFailureEvent } from "../options.js";
import type { AuthError, ErrorCode, ErrorResult } from "../errors.js";
import { errorResult } from "../errors.js";
import type { PublicUser, User } from "../user.js";
import { bearerToken } from "./bearer.js";
import type { BodyFailure, RequestBody } from "./request-body.js";

/** What an integration hands the handler: a framework's request, translated. */
export interface AuthHttpRequest {
  readonly method: string;
  /** Path relative to the mount prefix, without the query string: `/sign-in/email`. */
  readonly path: string;
  /** The `Authorization` header, if any. */
  readonly authorization: string | undefined;
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

type Route = {
  readonly method: "GET" | "POST";
  /** The service operation behind the endpoint, as `onFailure` names it. */
  readonly operation: AuthFailureEvent["operation"];
  readonly respond: (auth: Auth101, request: AuthHttpRequest) => Promise<AuthHttpResponse>;
  /** For an optional feature: when it is off, the path is not an auth endpoint (passed on, so 404). */
  readonly enabled?: (auth: Auth101) => boolean;
};

const ROUTES: Readonly<Record<string, Route>> = {
  "/sign-up/email": {
    method: "POST",
    operation: "signUp",
    respond: (auth, request) =>
      withFields(request, { email: "string", password: "string" }, ({ email, password }) =>
        auth.signUp(email, password, context(request)),
      ),
  },
  "/sign-in/email": {
    method: "POST",
    operation: "signIn",
    respond: (auth, request) =>
      withFields(request, { email: "string", password: "string" }, ({ email, password }) =>
        auth.signIn(email, password, context(request)),
      ),
  },
  "/request-password-reset": {
    method: "POST",
    operation: "requestPasswordReset",
    enabled: (auth) => auth.features.passwordReset,
    respond: (auth, request) =>
      withFields(request, { email: "string" }, ({ email }) => auth.requestPasswordReset(email, context(request))),
  },
  "/reset-password": {
    method: "POST",
    operation: "resetPassword",
    enabled: (auth) => auth.features.passwordReset,
    respond: (auth, request) =>
      withFields(request, { token: "string", new_password: "string" }, ({ token, new_password }) =>
        auth.resetPassword(token, new_password),
      ),
  },
  "/send-verification-email": {
    method: "POST",
    operation: "sendVerificationEmail",
    enabled: (auth) => auth.features.emailVerification,
    respond: (auth, request) =>
      withFields(request, { email: "string" }, ({ email }) => auth.sendVerificationEmail(email, context(request))),
  },
  "/verify-email": {
    method: "POST",
    operation: "verifyEmail",
    enabled: (auth) => auth.features.emailVerification,
    respond: (auth, request) => withFields(request, { token: "string" }, ({ token }) => auth.verifyEmail(token)),
  },
  "/sign-out": {
    method: "POST",
    operation: "signOut",
    respond: (auth, request) => withBearerToken(request, (token) => auth.signOut(token)),
  },
  "/session": {
    method: "GET",
    operation: "getSession",
    respond: (auth, request) => withBearerToken(request, (token) => auth.getSession(token)),
  },
};

function context(request: AuthHttpRequest): RequestContext {
  return { clientAddress: request.clientAddress };
}

/** The four endpoints, paths relative to the mount prefix, for routers that must list them. */
export const AUTH_ENDPOINTS: readonly { readonly method: "GET" | "POST"; readonly path: string }[] = Object.entries(
  ROUTES,
).map(([path, route]) => ({ method: route.method, path }));

/**
 * The four auth endpoints, framework-free. Integrations translate their request into an
 * {@link AuthHttpRequest}, call this, and write the {@link AuthHttpResponse} back unchanged.
 */
export function createAuthHttpHandler(auth: Auth101): AuthHttpHandler {
  return async (request) => {
    const route = ROUTES[request.path];
    if (route === undefined || route.enabled?.(auth) === false) return undefined;
    if (request.method.toUpperCase() !== route.method) {
      return errorResponse(errorResult("VALIDATION_ERROR", `Use ${route.method} for ${request.path}`), 405, {
        allow: route.method,
      });
    }
    try {
      return await route.respond(auth, request);
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

export type RequestAuthentication = { readonly user: User } | { readonly response: AuthHttpResponse };

/**
 * The "require a signed-in user" check every integration's guard makes: the `User`, or the
 * 401 (or 503) response to send instead.
 */
export async function authenticateRequest(
  auth: Auth101,
  authorization: string | undefined,
): Promise<RequestAuthentication> {
  const token = bearerToken(authorization);
  if (token === undefined) return { response: errorResponse(noTokenGiven()) };
  const session = await auth.authenticate(token);
  if ("error" in session) return { response: errorResponse(session) };
  return { user: session.user };
}

function noTokenGiven(): ErrorResult {
  return errorResult("UNAUTHORIZED", "Missing bearer token (Authorization: Bearer <token>)");
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
  const token = bearerToken(request.authorization);
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

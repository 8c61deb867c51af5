/**
 * The OpenAPI 3.1 document of the auth endpoints (docs/http-api.md). What the routing table
 * knows is generated from it (paths, methods, path parameters, request bodies, which
 * endpoints need a session, which are on); what it does not know (the words, the success
 * shapes, the error codes each service operation answers) is written once below, keyed by
 * operation so a route without its description does not compile. Statuses come from
 * `HTTP_STATUS_BY_CODE` and `BODY_FAILURES`.
 */
import type { Auth101 } from "../auth101.js";
import { ERROR_CODES } from "../errors.js";
import type { ErrorCode } from "../errors.js";
import type { Route, RouteOperation } from "./auth-http-handler.js";
import { BODY_FAILURES, HTTP_STATUS_BY_CODE, ROUTES } from "./auth-http-handler.js";
import { SESSION_COOKIE_NAME, TRANSPORT_HEADER } from "./cookie-session.js";

/** The JSON Schema (2020-12) keywords the document uses. */
export interface JsonSchema {
  $ref?: string;
  type?: "object" | "array" | "string" | "boolean" | "integer";
  description?: string;
  properties?: { [name: string]: JsonSchema };
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  enum?: string[];
  const?: string | boolean;
  format?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  allOf?: JsonSchema[];
}

export interface OpenApiReference {
  $ref: string;
}

export interface OpenApiHeader {
  description: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface OpenApiParameter {
  name: string;
  in: "path" | "header";
  description: string;
  required: boolean;
  schema: JsonSchema;
}

export interface OpenApiMediaType {
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  headers?: { [name: string]: OpenApiHeader | OpenApiReference };
  content?: { [mediaType: string]: OpenApiMediaType };
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  parameters: (OpenApiParameter | OpenApiReference)[];
  requestBody?: { required: boolean; content: { [mediaType: string]: OpenApiMediaType } };
  responses: { [status: string]: OpenApiResponse | OpenApiReference };
  security: { [scheme: string]: string[] }[];
}

export interface OpenApiPathItem {
  description?: string;
  get?: OpenApiOperation;
  post?: OpenApiOperation;
  delete?: OpenApiOperation;
}

// A type alias, not an interface: like an object literal it is assignable to types with an
// index signature (`@nestjs/swagger`'s SecuritySchemeObject allows `x-` extensions).
export type OpenApiSecurityScheme = {
  type: "http" | "apiKey";
  description: string;
  scheme?: string;
  bearerFormat?: string;
  in?: "cookie";
  name?: string;
};

/** An OpenAPI 3.1 document: a fresh plain object, JSON-ready, yours to merge into another. */
export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  jsonSchemaDialect: string;
  tags: { name: string; description: string }[];
  paths: { [path: string]: OpenApiPathItem };
  components: {
    schemas: { [name: string]: JsonSchema };
    responses: { [name: string]: OpenApiResponse };
    parameters: { [name: string]: OpenApiParameter };
    headers: { [name: string]: OpenApiHeader };
    securitySchemes: { [name: string]: OpenApiSecurityScheme };
  };
}

export interface OpenApiDocumentOptions {
  /** Where the endpoints are mounted, as given to the integration: `/auth`. */
  readonly prefix: string;
  /**
   * The instance the endpoints serve: the document then lists only the endpoints it serves
   * (password reset and email verification only when configured). Without it, every
   * endpoint auth101 can serve is listed.
   */
  readonly auth?: Auth101;
}

const SCHEMAS = {
  Auth101User: {
    type: "object",
    description: "The user on the wire, the same JSON in every configuration.",
    required: ["id", "email", "is_active"],
    additionalProperties: false,
    properties: {
      id: { type: "string" },
      email: { type: "string", description: "Trimmed and lower-cased." },
      is_active: { type: "boolean" },
    },
  },
  Auth101SessionCreated: {
    type: "object",
    required: ["user"],
    additionalProperties: false,
    properties: {
      user: { $ref: "#/components/schemas/Auth101User" },
      token: {
        type: "string",
        description:
          "A JWT (HS256) for `Authorization: Bearer`. Absent in the cookie transport (the token is in the session cookie) and from a sign-up that awaits email verification.",
      },
    },
  },
  Auth101CurrentUser: {
    type: "object",
    required: ["user"],
    additionalProperties: false,
    properties: { user: { $ref: "#/components/schemas/Auth101User" } },
  },
  Auth101Success: {
    type: "object",
    required: ["success"],
    additionalProperties: false,
    properties: { success: { const: true } },
  },
  Auth101SessionSummary: {
    type: "object",
    required: ["id", "created_at", "expires_at", "current"],
    additionalProperties: false,
    properties: {
      id: { type: "string", description: "The id to end the session with (`DELETE /sessions/{id}`)." },
      created_at: { type: "string", format: "date-time", description: "ISO 8601, UTC, to the millisecond." },
      expires_at: { type: "string", format: "date-time", description: "ISO 8601, UTC, to the millisecond." },
      current: { type: "boolean", description: "Whether this is the session of the token that asked." },
    },
  },
  Auth101SessionList: {
    type: "object",
    required: ["sessions"],
    additionalProperties: false,
    properties: {
      sessions: {
        type: "array",
        description: "The user's unexpired sessions, newest first.",
        items: { $ref: "#/components/schemas/Auth101SessionSummary" },
      },
    },
  },
  Auth101ErrorCode: { type: "string", enum: [...ERROR_CODES] },
  Auth101Error: {
    type: "object",
    description: "Every failure: exactly `{ error: { message, code } }`.",
    required: ["error"],
    additionalProperties: false,
    properties: {
      error: {
        type: "object",
        required: ["message", "code"],
        additionalProperties: false,
        properties: { message: { type: "string" }, code: { $ref: "#/components/schemas/Auth101ErrorCode" } },
      },
    },
  },
} satisfies { [name: string]: JsonSchema };

type SuccessSchema = "SessionCreated" | "CurrentUser" | "Success" | "SessionList";

/** What the routing table cannot say about an endpoint, written once. */
interface EndpointDescription {
  readonly summary: string;
  readonly description: string;
  readonly success: { readonly schema: SuccessSchema; readonly description: string };
  /**
   * The codes the service operation answers, besides those the handler answers for every
   * endpoint of its kind (a bad body or transport header, no session, the CSRF check, a failing
   * store, an internal error).
   */
  readonly codes: readonly ErrorCode[];
  /** What each `:name` segment of the path is. */
  readonly parameters?: Readonly<Record<string, string>>;
}

const SESSION_CODES: readonly ErrorCode[] = ["INVALID_TOKEN", "USER_NOT_FOUND"];

const ENDPOINTS: { readonly [Operation in RouteOperation]: EndpointDescription } = {
  signUp: {
    summary: "Sign up with email and password",
    description:
      "Creates the user and starts a session. With required email verification it starts none and answers `{ user }`; a verification email goes out when email verification is on.",
    success: { schema: "SessionCreated", description: "The new user and, unless verification is required, a session." },
    codes: ["USER_EXISTS", "RATE_LIMITED"],
  },
  signIn: {
    summary: "Sign in with email and password",
    description:
      "A wrong email or password, or a deactivated account, is one answer (401 INVALID_CREDENTIALS). Throttled per account and per address.",
    success: { schema: "SessionCreated", description: "The user and a new session." },
    codes: ["INVALID_CREDENTIALS", "EMAIL_NOT_VERIFIED", "RATE_LIMITED"],
  },
  changePassword: {
    summary: "Change the password",
    description:
      "Checks `current_password` like a sign-in (throttled with it), `new_password` by the sign-up policy. Starts a new session, ends the caller's and, unless `revoke_other_sessions` is false, every other session of the user.",
    success: { schema: "SessionCreated", description: "The user and the new session." },
    codes: [...SESSION_CODES, "INVALID_CREDENTIALS", "RATE_LIMITED"],
  },
  requestPasswordReset: {
    summary: "Request a password-reset email",
    description:
      "The same answer for every well-formed email, registered or not; the email goes out after the answer, to registered, active users only.",
    success: { schema: "Success", description: "Accepted." },
    codes: ["RATE_LIMITED"],
  },
  resetPassword: {
    summary: "Reset the password with the emailed token",
    description: "Sets the password, ends every session of the user and marks the email verified. Does not sign in.",
    success: { schema: "Success", description: "The password is set." },
    codes: ["INVALID_RESET_TOKEN"],
  },
  sendVerificationEmail: {
    summary: "Send a new verification email",
    description:
      "The same answer for every well-formed email; the email goes out after the answer, to registered, active, unverified users only.",
    success: { schema: "Success", description: "Accepted." },
    codes: ["RATE_LIMITED"],
  },
  verifyEmail: {
    summary: "Verify the email with the emailed token",
    description: "Marks the email the token was sent to verified.",
    success: { schema: "Success", description: "The email is verified." },
    codes: ["INVALID_VERIFICATION_TOKEN"],
  },
  signOut: {
    summary: "Sign out",
    description: "Ends the caller's session. A session that has already ended answers 200 again.",
    success: { schema: "Success", description: "Signed out." },
    codes: ["INVALID_TOKEN"],
  },
  signOutAll: {
    summary: "Sign out of every session",
    description: "Ends every session of the user, the caller's included.",
    success: { schema: "Success", description: "Every session ended." },
    codes: SESSION_CODES,
  },
  getSession: {
    summary: "The signed-in user",
    description: "The user of the caller's live session.",
    success: { schema: "CurrentUser", description: "The user." },
    codes: SESSION_CODES,
  },
  listSessions: {
    summary: "The user's sessions",
    description: "The user's unexpired sessions, newest first; `current` marks the caller's.",
    success: { schema: "SessionList", description: "The sessions." },
    codes: SESSION_CODES,
  },
  endSession: {
    summary: "End one of the user's sessions",
    description:
      "Ends the session if it is one of the caller's (the caller's own signs it out). An unknown id or another user's session changes nothing and answers the same 200.",
    success: { schema: "Success", description: "Done (or nothing to do)." },
    codes: SESSION_CODES,
    parameters: { id: "A session id from `GET /sessions`: one path segment, percent-decoded." },
  },
};

/** The handler's own answers, whatever the operation: a bad transport header, a failing store, a bug. */
const EVERY_ENDPOINT_CODES: readonly ErrorCode[] = ["VALIDATION_ERROR", "STORE_UNAVAILABLE", "INTERNAL_ERROR"];

const JSON_MEDIA_TYPE = "application/json";

/**
 * The OpenAPI 3.1 document of the auth endpoints mounted at `prefix`:
 * `openApiDocument({ prefix: "/auth", auth })`. Each call returns a fresh object.
 */
export function openApiDocument(options: OpenApiDocumentOptions): OpenApiDocument {
  const prefix = normalizedPrefix(options.prefix);
  const paths: { [path: string]: OpenApiPathItem } = {};
  for (const entry of ROUTES) {
    if (options.auth !== undefined && entry.enabled?.(options.auth) === false) continue;
    const path = prefix + entry.path.replace(/:([^/]+)/g, "{$1}");
    const item = paths[path] ?? {};
    item[entry.method.toLowerCase() as "get" | "post" | "delete"] = operationOf(entry);
    paths[path] = item;
  }
  for (const item of Object.values(paths)) {
    const allowed = (["get", "post", "delete"] as const).filter((method) => item[method] !== undefined);
    item.description = `Any other method: 405 (\`#/components/responses/Auth101MethodNotAllowed\`) with \`Allow: ${allowed.map((method) => method.toUpperCase()).join(", ")}\`.`;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "auth101",
      version: "1",
      description:
        "Email and password authentication. Every answer is JSON with `Cache-Control: no-store`; a failure is `{ error: { message, code } }`. Browsers use the cookie transport (`X-Auth101-Transport: cookie`): the token travels in the `__Host-auth101_session` cookie instead of the body, and a state-changing request must pass the cross-site check (403 FORBIDDEN otherwise).",
    },
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    tags: [{ name: "auth101", description: "The auth101 endpoints." }],
    paths,
    components: {
      schemas: structuredClone(SCHEMAS) as { [name: string]: JsonSchema },
      responses: {
        Auth101MethodNotAllowed: {
          description: "A method other than the endpoint's (VALIDATION_ERROR).",
          headers: {
            Allow: { description: "The endpoint's method.", required: true, schema: { type: "string" } },
            "Cache-Control": { $ref: "#/components/headers/Auth101CacheControl" },
          },
          content: { [JSON_MEDIA_TYPE]: { schema: errorSchema(["VALIDATION_ERROR"]) } },
        },
      },
      parameters: {
        Auth101Transport: {
          name: "X-Auth101-Transport",
          in: "header",
          description:
            "`cookie` asks for the cookie transport: a session token is set in the session cookie instead of the body. Any other value is 400 VALIDATION_ERROR.",
          required: false,
          schema: { type: "string", enum: ["cookie"] },
        },
      },
      headers: {
        Auth101CacheControl: {
          description: "Never cached.",
          required: true,
          schema: { type: "string", const: "no-store" },
        },
        Auth101WwwAuthenticate: {
          description: '`Bearer realm="auth101"`, with `error="invalid_token"` when a token was given and refused.',
          required: true,
          schema: { type: "string", pattern: '^Bearer realm="auth101"(, error="invalid_token")?$' },
        },
        Auth101RetryAfter: {
          description: "Whole seconds until the caller may try again.",
          required: true,
          schema: { type: "integer", minimum: 0 },
        },
        Auth101SetCookie: {
          description: `Cookie transport only: the session cookie (\`${SESSION_COOKIE_NAME}\`; \`Max-Age=0\` when the session ended or the cookie was refused).`,
          schema: { type: "string", pattern: `^${SESSION_COOKIE_NAME}=` },
        },
      },
      securitySchemes: {
        auth101Bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "The token of a sign-in, sign-up or password change. When present, it wins over the cookie.",
        },
        auth101SessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: SESSION_COOKIE_NAME,
          description: `The browser's session cookie, set in the cookie transport (\`${headerName(TRANSPORT_HEADER)}: cookie\`). A request that changes state must pass the cross-site check: \`Sec-Fetch-Site: same-origin\`, or without Fetch Metadata an \`Origin\` on the allow-list.`,
        },
      },
    },
  };
}

function normalizedPrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, "");
  return trimmed === "" || trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

/** `x-auth101-transport` as it is written in documents: `X-Auth101-Transport`. */
function headerName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

function operationOf(entry: Route<RouteOperation>): OpenApiOperation {
  const endpoint = ENDPOINTS[entry.operation];
  const pathParameters = [...entry.path.matchAll(/:([^/]+)/g)].map(([, name = ""]) => ({
    name,
    in: "path" as const,
    description: endpoint.parameters?.[name] ?? "One path segment, percent-decoded.",
    required: true,
    schema: { type: "string" as const, minLength: 1 },
  }));
  const operation: OpenApiOperation = {
    operationId: entry.operation,
    summary: endpoint.summary,
    description: endpoint.description,
    tags: ["auth101"],
    parameters: [...pathParameters, { $ref: "#/components/parameters/Auth101Transport" }],
    responses: responsesOf(entry, endpoint),
    security: entry.session ? [{ auth101Bearer: [] }, { auth101SessionCookie: [] }] : [],
  };
  if (entry.fields !== undefined) {
    operation.requestBody = { required: true, content: { [JSON_MEDIA_TYPE]: { schema: bodySchema(entry.fields) } } };
  }
  return operation;
}

function bodySchema(fields: NonNullable<Route["fields"]>): JsonSchema {
  const properties: { [name: string]: JsonSchema } = {};
  for (const [name, type] of Object.entries(fields))
    properties[name] = { type: type === "string" ? "string" : "boolean" };
  return {
    type: "object",
    description: "Other fields are ignored.",
    required: Object.keys(fields).filter((name) => fields[name] === "string"),
    properties,
  };
}

function responsesOf(entry: Route<RouteOperation>, endpoint: EndpointDescription): OpenApiOperation["responses"] {
  const changesState = entry.method !== "GET";
  const codes = new Set<ErrorCode>([...EVERY_ENDPOINT_CODES, ...endpoint.codes]);
  if (entry.session) codes.add("UNAUTHORIZED");
  if (changesState) codes.add("FORBIDDEN");
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ERROR_CODES) {
    if (!codes.has(code)) continue;
    const status = HTTP_STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  if (entry.fields !== undefined) {
    for (const { status } of Object.values(BODY_FAILURES)) {
      if (!byStatus.has(status)) byStatus.set(status, ["VALIDATION_ERROR"]);
    }
  }

  const responses: OpenApiOperation["responses"] = {
    "200": {
      description: endpoint.success.description,
      headers: { ...commonHeaders(changesState), "Set-Cookie": { $ref: "#/components/headers/Auth101SetCookie" } },
      content: { [JSON_MEDIA_TYPE]: { schema: { $ref: `#/components/schemas/Auth101${endpoint.success.schema}` } } },
    },
  };
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const statusCodes = byStatus.get(status) ?? [];
    const headers = commonHeaders(changesState);
    if (status === 401) {
      headers["WWW-Authenticate"] = { $ref: "#/components/headers/Auth101WwwAuthenticate" };
      headers["Set-Cookie"] = { $ref: "#/components/headers/Auth101SetCookie" };
    }
    if (status === 429) headers["Retry-After"] = { $ref: "#/components/headers/Auth101RetryAfter" };
    responses[String(status)] = {
      description: statusCodes.join(", "),
      headers,
      content: { [JSON_MEDIA_TYPE]: { schema: errorSchema(statusCodes) } },
    };
  }
  return responses;
}

function commonHeaders(changesState: boolean): NonNullable<OpenApiResponse["headers"]> {
  const headers: NonNullable<OpenApiResponse["headers"]> = {
    "Cache-Control": { $ref: "#/components/headers/Auth101CacheControl" },
  };
  if (changesState) {
    headers["Vary"] = {
      description: "`Origin, Sec-Fetch-Site` when the cross-site check read them (cookie transport).",
      schema: { type: "string" },
    };
  }
  return headers;
}

/** The error envelope, its `code` narrowed to those this answer can carry. */
function errorSchema(codes: readonly ErrorCode[]): JsonSchema {
  return {
    allOf: [
      { $ref: "#/components/schemas/Auth101Error" },
      { properties: { error: { properties: { code: { enum: [...codes] } } } } },
    ],
  };
}

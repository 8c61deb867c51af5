export { Auth101 } from "./auth101.js";
export type {
  AuthResult,
  PruneResult,
  RequestContext,
  SessionListResult,
  SessionResult,
  SessionSummary,
  SignOutResult,
  SignUpResult,
  SuccessResult,
} from "./auth101.js";
export type { LimitRule, RateLimitOptions, RedisClientLike } from "./rate-limits.js";
export {
  Auth101ConfigError,
  EmailTakenError,
  ERROR_CODES,
  StoreUnavailableError,
  UnsafePasswordHashError,
} from "./errors.js";
export type { AuthError, ErrorCode, ErrorResult } from "./errors.js";
export type {
  AccountEmailMessage,
  AccountEmailSender,
  Auth101Options,
  AuthFailureEvent,
  EmailVerificationOptions,
  HashingOptions,
  PasswordPolicyOptions,
  PasswordResetOptions,
} from "./options.js";
export type { StoredHashLimits } from "./password-hasher.js";
export type { PublicUser, User } from "./user.js";
export type {
  NewUser,
  OneTimeTokenPurpose,
  SessionWithUser,
  StoredOneTimeToken,
  StoredSession,
  StoredUser,
  UserStore,
} from "./user-store.js";
export { MemoryStore } from "./memory-store.js";
export {
  AUTH_ENDPOINTS,
  authenticateRequest,
  optionalAuthentication,
  createAuthHttpHandler,
  HTTP_STATUS_BY_CODE,
} from "./http/auth-http-handler.js";
export type {
  AuthHttpHandler,
  AuthHttpRequest,
  AuthHttpResponse,
  AuthHttpResponseBody,
  GuardedRequest,
  OptionalAuthentication,
  RequestAuthentication,
} from "./http/auth-http-handler.js";
export { openApiDocument } from "./http/openapi.js";
export type {
  JsonSchema,
  OpenApiDocument,
  OpenApiDocumentOptions,
  OpenApiHeader,
  OpenApiMediaType,
  OpenApiOperation,
  OpenApiParameter,
  OpenApiPathItem,
  OpenApiReference,
  OpenApiResponse,
  OpenApiSecurityScheme,
} from "./http/openapi.js";
export { SESSION_COOKIE_NAME, TRANSPORT_HEADER } from "./http/cookie-session.js";
export type { HeaderReader } from "./http/cookie-session.js";
export { bearerToken } from "./http/bearer.js";
export {
  MAX_BODY_BYTES,
  isJsonContentType,
  parsedBody,
  readJsonBody,
} from "./http/request-body.js";
export type { BodyFailure, BodyHeaders, RawBodySource, RequestBody } from "./http/request-body.js";

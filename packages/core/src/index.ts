export { Auth101, StoreUnavailableError } from "./auth101.js";
export type {
  AuthResult,
  RequestContext,
  SessionResult,
  SignOutResult,
  SignUpResult,
  SuccessResult,
} from "./auth101.js";
export type { LimitRule, RateLimitOptions, RedisClientLike } from "./rate-limits.js";
export { ERROR_CODES } from "./errors.js";
export type { AuthError, ErrorCode, ErrorResult } from "./errors.js";
export { Auth101ConfigError } from "./options.js";
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
export { UnsafePasswordHashError } from "./password-hasher.js";
export type { StoredHashLimits } from "./password-hasher.js";
export type { PublicUser, User } from "./user.js";
export { EmailTakenError } from "./user-store.js";
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
  createAuthHttpHandler,
  HTTP_STATUS_BY_CODE,
} from "./http/auth-http-handler.js";
export type {
  AuthHttpHandler,
  AuthHttpRequest,
  AuthHttpResponse,
  AuthHttpResponseBody,
  RequestAuthentication,
} from "./http/auth-http-handler.js";
export { bearerToken } from "./http/bearer.js";
export {
  MAX_BODY_BYTES,
  bodyFromParserError,
  isJsonContentType,
  parsedBody,
  readJsonBody,
} from "./http/request-body.js";
export type { BodyFailure, BodyHeaders, RawBodySource, RequestBody } from "./http/request-body.js";
export { bodyHeadersOf, nodeRequestBody, sendNodeResponse } from "./http/node-request.js";
export { answerClientError } from "./http/node-client-error.js";

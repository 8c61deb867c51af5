import type { IncomingHttpHeaders } from "node:http";
import type { AuthHttpResponse } from "@auth101/core";
import { Auth101, authenticateRequest, optionalAuthentication } from "@auth101/core";
import { nodeHeaderReader } from "@auth101/core/node";
import type { CanActivate, ExecutionContext } from "@nestjs/common";
import { HttpException, Inject, Injectable } from "@nestjs/common";
import { HttpAdapterHost, Reflector } from "@nestjs/core";
import { IS_PUBLIC_KEY } from "./public.decorator.js";
import type { RequestWithUser } from "./request-user.js";

/**
 * Thrown by `Auth101Guard` for a request without a valid session. Its response is the core's
 * error body (`{ error: { message, code } }`) and its status 401 (or 503 when the store is
 * down); the guard has already set the core's headers (`WWW-Authenticate`, `Cache-Control`).
 */
export class Auth101UnauthorizedException extends HttpException {
  readonly answer: AuthHttpResponse;

  constructor(answer: AuthHttpResponse) {
    super(answer.body, answer.status);
    this.answer = answer;
  }
}

/**
 * Guard for the app's own routes that need a signed-in user: with a valid
 * `Authorization: Bearer <token>` (or session cookie, CSRF-checked when the request changes
 * state) of an existing, active user it sets `request.authUser` (what
 * `@CurrentUser()` reads) and lets the request through; otherwise it answers 401 with the
 * error body and `WWW-Authenticate` (UNAUTHORIZED, INVALID_TOKEN or USER_NOT_FOUND), or 503
 * when the user store is down. Use it per route or controller (`@UseGuards(Auth101Guard)`) or
 * for the whole app (`{ provide: APP_GUARD, useExisting: Auth101Guard }`), opting routes out
 * with `@Public()`.
 */
@Injectable()
export class Auth101Guard implements CanActivate {
  readonly #auth: Auth101;
  readonly #reflector: Reflector;
  readonly #adapterHost: HttpAdapterHost;

  constructor(
    @Inject(Auth101) auth: Auth101,
    @Inject(Reflector) reflector: Reflector,
    @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost,
  ) {
    this.#auth = auth;
    this.#reflector = reflector;
    this.#adapterHost = adapterHost;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.#reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (context.getType() !== "http") {
      if (isPublic === true) return true;
      throw new Error(`auth101: Auth101Guard protects HTTP routes only; got a "${context.getType()}" context`);
    }

    const http = context.switchToHttp();
    // Express's request or Fastify's: both have Node's headers.
    const request = http.getRequest<
      { readonly method?: string; readonly headers: IncomingHttpHeaders } & RequestWithUser
    >();
    const check = { method: request.method ?? "GET", header: nodeHeaderReader(request.headers) };
    // A public route lets everyone in, and still gets the user when a valid session comes along.
    const authentication =
      isPublic === true
        ? await optionalAuthentication(this.#auth, check)
        : await authenticateRequest(this.#auth, check);
    if ("response" in authentication) {
      // Nest's exception layer writes the status and body; the core's headers go on first,
      // through Nest's adapter (Express's response and Fastify's reply set headers differently).
      const response: unknown = http.getResponse();
      for (const [name, value] of Object.entries(authentication.response.headers)) {
        this.#adapterHost.httpAdapter.setHeader(response, name, value);
      }
      throw new Auth101UnauthorizedException(authentication.response);
    }
    if (authentication.user !== undefined) request.authUser = authentication.user;
    return true;
  }
}

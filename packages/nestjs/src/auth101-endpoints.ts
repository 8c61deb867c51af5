import type { ServerResponse } from "node:http";
import type { AuthHttpHandler, RequestBody } from "@auth101/core";
import {
  AUTH_ENDPOINTS,
  Auth101,
  bodyFromParserError,
  bodyHeadersOf,
  createAuthHttpHandler,
  sendNodeResponse,
} from "@auth101/core";
import type { OnModuleInit } from "@nestjs/common";
import { Inject, Injectable, Logger } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";
import type { ExpressRequest, NextFunction } from "./request-translation.js";
import { requestBody, toAuthHttpRequest } from "./request-translation.js";
import type { Auth101ModuleOptions } from "./module-options.js";
import { AUTH101_MODULE_OPTIONS, mountPathOf } from "./module-options.js";

type ExpressHandler = (request: ExpressRequest, response: ServerResponse, next: NextFunction) => void;

/**
 * The four auth endpoints (`POST /sign-up/email`, `POST /sign-in/email`, `POST /sign-out`,
 * `GET /session`) under the module's `path`, as plain Express handlers on Nest's Express
 * instance that hand the request to the core's `createAuthHttpHandler` and write its answer
 * back unchanged (a Nest controller's exception layer would reshape the errors).
 *
 * Two handlers, because of Nest's built-in body parsers (`express.json()` and
 * `express.urlencoded()`, 100 KB, registered when the app initializes):
 *
 * - As soon as Nest has its HTTP adapter (before the parsers exist), a handler that reads
 *   the body of an endpoint request from the raw stream with the core's `readJsonBody`. The
 *   parsers then skip the finished request (or read and drop the rest of one over the size
 *   limit), so the size limit, content type, charset, encoding and JSON checks are the
 *   core's own, whatever Nest would have done.
 * - When the module initializes (after the parsers, Nest's middleware and routes, before
 *   Nest's not-found and exception handlers), the handler that answers, and an Express error
 *   handler that answers a parser failure on an auth path the core's way, for apps whose own
 *   parser ran before everything else.
 *
 * Answering only in the second place keeps app-wide middleware (CORS, helmet, Nest
 * middleware for all routes) in front of the endpoints, as for any other route.
 */
@Injectable()
export class Auth101Endpoints implements OnModuleInit {
  readonly #handle: AuthHttpHandler;
  readonly #mountPath: string;
  readonly #adapterHost: HttpAdapterHost;
  readonly #bodiesReadEarly = new WeakMap<ExpressRequest, Promise<RequestBody>>();

  constructor(
    @Inject(Auth101) auth: Auth101,
    @Inject(AUTH101_MODULE_OPTIONS) options: Auth101ModuleOptions,
    @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost,
  ) {
    this.#handle = createAuthHttpHandler(auth);
    this.#mountPath = mountPathOf(options.path);
    this.#adapterHost = adapterHost;
    // Emits (or has emitted) once the adapter is set: before `init()` registers the parsers.
    adapterHost.init$.subscribe(() => this.#mountBodyReader());
  }

  /** Where the endpoints live, e.g. `/auth`. */
  get mountPath(): string {
    return this.#mountPath;
  }

  onModuleInit(): void {
    const adapter = this.#expressAdapter();
    // An application context without HTTP (a worker, a CLI) still gets Auth101 and the guard.
    if (adapter === undefined) return;
    const answer: ExpressHandler = (request, response, next) => {
      void this.#answer(request, response, next);
    };
    adapter.use(this.#mountPath, answer);
    // Express tells an error handler by its four parameters.
    adapter.use(
      this.#mountPath,
      (error: unknown, request: ExpressRequest, response: ServerResponse, next: NextFunction) => {
        const body = bodyFromParserError(error, bodyHeadersOf(request));
        if (body === undefined) return next(error);
        void this.#answer(
          request,
          response,
          () => next(error),
          () => Promise.resolve(body),
        );
      },
    );
    new Logger("Auth101Module").log(`Mapped the auth endpoints under ${this.#mountPath}`);
  }

  #expressAdapter(): HttpAdapterHost["httpAdapter"] | undefined {
    // `null` in an application context, `undefined` before the adapter is set.
    const adapter = this.#adapterHost.httpAdapter as HttpAdapterHost["httpAdapter"] | null | undefined;
    if (adapter === undefined || adapter === null) return undefined;
    if (adapter.getType() !== "express") {
      throw new Error(
        `auth101: @auth101/nestjs serves its endpoints on @nestjs/platform-express; this app uses "${adapter.getType()}"`,
      );
    }
    return adapter;
  }

  #mountBodyReader(): void {
    const adapter = this.#adapterHost.httpAdapter as HttpAdapterHost["httpAdapter"] | null | undefined;
    if (adapter === undefined || adapter === null || adapter.getType() !== "express") return;
    const readBody: ExpressHandler = (request, _response, next) => {
      this.#readBodyEarly(request).then(() => next(), next);
    };
    adapter.use(this.#mountPath, readBody);
  }

  async #readBodyEarly(request: ExpressRequest): Promise<void> {
    if (!this.#isUnderMountPath(request) || request.readableDidRead) return;
    // Only for a request to one of the core's endpoints, with its method. Other requests under
    // the path (the app's own routes, say) keep their body for Nest's parsers.
    const isEndpoint = AUTH_ENDPOINTS.some(({ method, path }) => path === request.path && method === request.method);
    if (!isEndpoint) return;
    const body = requestBody(request);
    this.#bodiesReadEarly.set(request, body);
    await body;
  }

  /** Express matches mount paths case-insensitively; the core's paths are case-sensitive. */
  #isUnderMountPath(request: ExpressRequest): boolean {
    return request.baseUrl.endsWith(this.#mountPath);
  }

  async #answer(
    request: ExpressRequest,
    response: ServerResponse,
    next: NextFunction,
    readBody: () => Promise<RequestBody> = () => requestBody(request),
  ): Promise<void> {
    try {
      if (!this.#isUnderMountPath(request)) return next();
      const answer = await this.#handle(
        toAuthHttpRequest(request, () => this.#bodiesReadEarly.get(request) ?? readBody()),
      );
      if (answer === undefined) return next();
      sendNodeResponse(response, answer);
    } catch (error) {
      next(error);
    }
  }
}

import type { ServerResponse } from "node:http";
import type { AuthHttpHandler, RequestBody } from "@auth101/core";
import { AUTH_ENDPOINTS } from "@auth101/core";
import { bodyFromParserError, bodyHeadersOf, sendNodeResponse } from "@auth101/core/node";
import type { ExpressRequest, NextFunction } from "./express-request.js";
import { requestBody, toAuthHttpRequest } from "./express-request.js";

export type ExpressHandler = (request: ExpressRequest, response: ServerResponse, next: NextFunction) => void;
export type ExpressErrorHandler = (
  error: unknown,
  request: ExpressRequest,
  response: ServerResponse,
  next: NextFunction,
) => void;

/**
 * The endpoints on Nest's Express platform, as Express middleware under the mount path.
 *
 * Nest registers its body parsers (`express.json()`, `express.urlencoded()`, 100 KB) when
 * the app initializes, before any module can add middleware, and Express runs middleware in
 * the order it was added. So the request takes two stops, both here:
 *
 * - `readBody`, added as soon as Nest has its HTTP adapter (before the parsers exist), reads
 *   the body of an endpoint request from the raw stream with the core's `readJsonBody`. The
 *   parsers then skip the finished request (or read and drop the rest of one over the size
 *   limit), so the size limit, content type, charset, encoding and JSON checks are the
 *   core's own, whatever Nest would have done.
 * - `answer`, added when the module initializes (after the parsers, Nest's middleware and
 *   routes, before Nest's not-found and exception handlers), hands the request and the body
 *   read at the first stop to the core's handler and writes its answer. Answering there
 *   keeps app-wide middleware (CORS, helmet, Nest middleware for all routes) in front of the
 *   endpoints, as for any other route. `answerParserErrors` next to it answers a parser
 *   failure on an endpoint the core's way, for apps whose own parser ran before everything.
 */
export class ExpressEndpoints {
  readonly #handle: AuthHttpHandler;
  readonly #mountPath: string;
  readonly #bodiesReadEarly = new WeakMap<ExpressRequest, Promise<RequestBody>>();

  constructor(handle: AuthHttpHandler, mountPath: string) {
    this.#handle = handle;
    this.#mountPath = mountPath;
  }

  readonly readBody: ExpressHandler = (request, _response, next) => {
    if (!this.#isUnderMountPath(request) || request.readableDidRead) return next();
    // Only for a request to one of the core's endpoints, with its method. Other requests under
    // the path (the app's own routes, say) keep their body for Nest's parsers.
    const isEndpoint = AUTH_ENDPOINTS.some(({ method, path }) => path === request.path && method === request.method);
    if (!isEndpoint) return next();
    const body = requestBody(request);
    this.#bodiesReadEarly.set(request, body);
    body.then(() => next(), next);
  };

  readonly answer: ExpressHandler = (request, response, next) => {
    this.#answer(request, response, next, () => this.#bodiesReadEarly.get(request) ?? requestBody(request));
  };

  // Express tells an error handler by its four parameters.
  readonly answerParserErrors: ExpressErrorHandler = (error, request, response, next) => {
    const body = bodyFromParserError(error, bodyHeadersOf(request));
    if (body === undefined) return next(error);
    // A body auth101 read early is the one to judge: Nest's parser only saw what was left of
    // it (the rest of one over the size limit, which it may refuse for reasons of its own).
    this.#answer(
      request,
      response,
      () => next(error),
      () => this.#bodiesReadEarly.get(request) ?? Promise.resolve(body),
    );
  };

  /** Express matches mount paths case-insensitively; the core's paths are case-sensitive. */
  #isUnderMountPath(request: ExpressRequest): boolean {
    return request.baseUrl.endsWith(this.#mountPath);
  }

  #answer(
    request: ExpressRequest,
    response: ServerResponse,
    next: NextFunction,
    readBody: () => Promise<RequestBody>,
  ): void {
    if (!this.#isUnderMountPath(request)) {
      next();
      return;
    }
    this.#handle(toAuthHttpRequest(request, readBody)).then((answer) => {
      if (answer === undefined) next();
      else sendNodeResponse(response, answer);
    }, next);
  }
}

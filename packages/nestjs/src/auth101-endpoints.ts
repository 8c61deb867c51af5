import type { ServerResponse } from "node:http";
import type { AuthHttpHandler } from "@auth101/core";
import { Auth101, createAuthHttpHandler } from "@auth101/core";
import type { OnModuleInit } from "@nestjs/common";
import { Inject, Injectable } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";
import type { BodyParserFailure, ExpressRequest, NextFunction } from "./express-request.js";
import { bodyParserFailureOf, drainRequest, readRequestBody, writeAuthHttpResponse } from "./express-request.js";
import type { Auth101ModuleOptions } from "./module-options.js";
import { AUTH101_MODULE_OPTIONS, mountPathOf } from "./module-options.js";

/**
 * Mounts the four endpoints on the Express app under the configured path, as plain Express
 * handlers that hand the request to the core's `createAuthHttpHandler` and write its answer
 * back unchanged (not as a Nest controller, whose exception layer would reshape the errors).
 *
 * They are mounted when the module initializes: after Nest's body parsers, so a body the
 * parser already consumed is read back from what it left, and before Nest's exception layer,
 * so that a parser failure on an auth path (malformed JSON, too large, bad charset) is
 * answered by the core's 400/413/415 instead of Nest's error shape.
 */
@Injectable()
export class Auth101Endpoints implements OnModuleInit {
  readonly #handle: AuthHttpHandler;
  readonly #mountPath: string;
  readonly #adapterHost: HttpAdapterHost;

  constructor(
    @Inject(Auth101) auth: Auth101,
    @Inject(AUTH101_MODULE_OPTIONS) options: Auth101ModuleOptions,
    @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost,
  ) {
    this.#handle = createAuthHttpHandler(auth);
    this.#mountPath = mountPathOf(options.path);
    this.#adapterHost = adapterHost;
  }

  /** Where the endpoints live, e.g. `/auth`. */
  get mountPath(): string {
    return this.#mountPath;
  }

  onModuleInit(): void {
    const adapter = this.#adapterHost.httpAdapter;
    // An application context without HTTP (a worker, a CLI) still gets Auth101 and the guard.
    if (adapter === undefined) return;
    if (adapter.getType() !== "express") {
      throw new Error(
        `auth101: @auth101/nestjs serves its endpoints on @nestjs/platform-express; this app uses "${adapter.getType()}"`,
      );
    }
    adapter.use(this.#mountPath, (request: ExpressRequest, response: ServerResponse, next: NextFunction) => {
      void this.#serve(request, response, next);
    });
    // Express recognizes an error handler by its four parameters.
    adapter.use(
      this.#mountPath,
      (error: unknown, request: ExpressRequest, response: ServerResponse, next: NextFunction) => {
        const failure = bodyParserFailureOf(error);
        if (failure === undefined) return next(error);
        void this.#serve(request, response, () => next(error), failure);
      },
    );
  }

  async #serve(
    request: ExpressRequest,
    response: ServerResponse,
    next: NextFunction,
    parserFailure?: BodyParserFailure,
  ): Promise<void> {
    try {
      const answer = await this.#handle({
        method: request.method ?? "GET",
        path: request.path,
        authorization: request.headers.authorization,
        clientAddress: request.ip ?? request.socket.remoteAddress,
        readBody: () => readRequestBody(request, parserFailure),
      });
      if (answer === undefined) return next();
      writeAuthHttpResponse(response, answer);
      drainRequest(request);
    } catch (error) {
      next(error);
    }
  }
}

import type { AuthHttpHandler } from "@auth101/core";
import { Auth101, createAuthHttpHandler } from "@auth101/core";
import type { OnModuleInit } from "@nestjs/common";
import { Inject, Injectable, Logger } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";
import { ExpressEndpoints } from "./express-endpoints.js";
import type { FastifyInstanceLike } from "./fastify-endpoints.js";
import { fastifyEndpointsHook } from "./fastify-endpoints.js";
import type { Auth101ModuleOptions } from "./module-options.js";
import { AUTH101_MODULE_OPTIONS, mountPathOf } from "./module-options.js";

type HttpAdapter = HttpAdapterHost["httpAdapter"];

/**
 * Serves the core's endpoints (every method, every path under the module's `path`; the core
 * answers 404 or 405 for what it does not serve by passing the request on) on Nest's HTTP
 * platform, answering what the core answers unchanged (a Nest controller's exception layer
 * would reshape the errors):
 *
 * - `@nestjs/platform-fastify`: one `onRequest` hook, see `fastify-endpoints.ts`;
 * - `@nestjs/platform-express`: middleware under the path, see `express-endpoints.ts`.
 */
@Injectable()
export class Auth101Endpoints implements OnModuleInit {
  readonly #mountPath: string;
  readonly #adapterHost: HttpAdapterHost;
  readonly #handle: AuthHttpHandler;
  readonly #express: ExpressEndpoints;

  constructor(
    @Inject(Auth101) auth: Auth101,
    @Inject(AUTH101_MODULE_OPTIONS) options: Auth101ModuleOptions,
    @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost,
  ) {
    this.#handle = createAuthHttpHandler(auth);
    this.#mountPath = mountPathOf(options.path);
    this.#adapterHost = adapterHost;
    this.#express = new ExpressEndpoints(this.#handle, this.#mountPath);
    // Emits (or has emitted) once the adapter is set: before `init()` registers Nest's body parsers.
    adapterHost.init$.subscribe(() => {
      const adapter = this.#httpAdapter();
      if (adapter?.getType() === "express") adapter.use(this.#mountPath, this.#express.readBody);
    });
  }

  onModuleInit(): void {
    const adapter = this.#httpAdapter();
    // An application context without HTTP (a worker, a CLI) still gets Auth101 and the guard.
    if (adapter === undefined) return;
    switch (adapter.getType()) {
      case "express":
        adapter.use(this.#mountPath, this.#express.answer);
        adapter.use(this.#mountPath, this.#express.answerParserErrors);
        break;
      case "fastify":
        (adapter.getInstance() as FastifyInstanceLike).addHook(
          "onRequest",
          fastifyEndpointsHook(this.#handle, this.#mountPath),
        );
        break;
      default:
        throw new Error(
          `auth101: @auth101/nestjs serves its endpoints on @nestjs/platform-express or @nestjs/platform-fastify; this app uses "${adapter.getType()}"`,
        );
    }
    new Logger("Auth101Module").log(`Mapped the auth endpoints under ${this.#mountPath}`);
  }

  #httpAdapter(): HttpAdapter | undefined {
    // `null` in an application context, `undefined` before the adapter is set.
    return (this.#adapterHost.httpAdapter as HttpAdapter | null | undefined) ?? undefined;
  }
}

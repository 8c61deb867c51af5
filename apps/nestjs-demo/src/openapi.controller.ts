import type { OpenApiDocument } from "@auth101/core";
import { Auth101, openApiDocument } from "@auth101/core";
import { Controller, Get, Inject } from "@nestjs/common";

/** The OpenAPI document of the auth endpoints Auth101Module mounts at /auth. */
@Controller("auth")
export class OpenApiController {
  constructor(@Inject(Auth101) private readonly auth: Auth101) {}

  @Get("openapi.json")
  document(): OpenApiDocument {
    return openApiDocument({ prefix: "/auth", auth: this.auth });
  }
}

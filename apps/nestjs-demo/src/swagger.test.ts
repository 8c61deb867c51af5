import { Auth101, MemoryStore, openApiDocument } from "@auth101/core";
import { DocumentBuilder, SwaggerModule } from "@nestjs/swagger";
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { createApp } from "./main.js";

describe("the README's @nestjs/swagger example", () => {
  it("merges auth101's OpenAPI document into the app's, which validates as OpenAPI 3.1", async () => {
    const app = await createApp(
      { secret: "nestjs-demo-tests-secret-0123456789-abcdefghij", store: new MemoryStore() },
      false,
    );
    try {
      // As in packages/nestjs/README.md:
      const config = new DocumentBuilder().setTitle("My app").setOpenAPIVersion("3.1.0").build();
      const document = SwaggerModule.createDocument(app, config);
      const auth101 = openApiDocument({ prefix: "/auth", auth: app.get(Auth101) });
      document.paths = { ...document.paths, ...auth101.paths };
      document.components = {
        ...document.components,
        schemas: { ...document.components?.schemas, ...auth101.components.schemas },
        responses: { ...document.components?.responses, ...auth101.components.responses },
        parameters: { ...document.components?.parameters, ...auth101.components.parameters },
        headers: { ...document.components?.headers, ...auth101.components.headers },
        securitySchemes: { ...document.components?.securitySchemes, ...auth101.components.securitySchemes },
      };
      SwaggerModule.setup("docs", app, document);

      await app.listen(0, "127.0.0.1");
      const served = (await (await fetch(`${await app.getUrl()}/docs-json`)).json()) as typeof document;
      expect(Object.keys(served.paths)).toEqual(
        expect.arrayContaining(["/me", "/auth/sign-in/email", "/auth/sessions/{id}"]),
      );
      const result = await validate(served as never);
      expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    } finally {
      await app.close();
    }
  });
});

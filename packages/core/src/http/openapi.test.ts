import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { Auth101 } from "../auth101.js";
import { ERROR_CODES } from "../errors.js";
import { MemoryStore } from "../memory-store.js";
import type { Auth101Options } from "../options.js";
import { AUTH_ENDPOINTS, HTTP_STATUS_BY_CODE } from "./auth-http-handler.js";
import type { OpenApiDocument, OpenApiOperation, OpenApiParameter } from "./openapi.js";
import { openApiDocument } from "./openapi.js";

const SECRET = "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH";

function auth(options: Partial<Auth101Options> = {}): Auth101 {
  return new Auth101({ secret: SECRET, store: new MemoryStore(), onFailure: () => {}, ...options });
}

const send = (): void => {};
const withEverything = (): Auth101 => auth({ passwordReset: { send }, emailVerification: { send, required: false } });

function operations(document: OpenApiDocument): [string, string, OpenApiOperation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    (["get", "post", "delete"] as const).flatMap((method) => {
      const operation = item[method];
      return operation === undefined
        ? []
        : [[path, method.toUpperCase(), operation] as [string, string, OpenApiOperation]];
    }),
  );
}

describe("openApiDocument", () => {
  it.each([
    ["every endpoint, no instance", undefined],
    ["an instance without email flows", auth()],
    ["an instance with every flow", withEverything()],
  ])("validates as OpenAPI 3.1 with @readme/openapi-parser (%s)", async (_case, instance) => {
    const document = openApiDocument(
      instance === undefined ? { prefix: "/auth" } : { prefix: "/auth", auth: instance },
    );
    // The parser dereferences in place: hand it a copy, and keep the document as served (JSON).
    const result = await validate(JSON.parse(JSON.stringify(document)) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(document.openapi).toBe("3.1.0");
  });

  it("lists every route of the routing table under the prefix, its path parameter templated", () => {
    const document = openApiDocument({ prefix: "/api/v1/identity/" });
    expect(operations(document).map(([path, method]) => `${method} ${path}`)).toEqual(
      AUTH_ENDPOINTS.map(({ method, path }) => `${method} /api/v1/identity${path.replace(":id", "{id}")}`),
    );
    const endSession = document.paths["/api/v1/identity/sessions/{id}"]?.delete;
    expect(endSession?.parameters).toContainEqual(
      expect.objectContaining({ name: "id", in: "path", required: true } satisfies Partial<OpenApiParameter>),
    );
  });

  it("lists the email flows only when the instance serves them", () => {
    const paths = (instance: Auth101): string[] =>
      Object.keys(openApiDocument({ prefix: "/auth", auth: instance }).paths);
    expect(paths(auth())).not.toContain("/auth/reset-password");
    expect(paths(auth())).not.toContain("/auth/verify-email");
    expect(paths(auth({ passwordReset: { send } }))).toContain("/auth/reset-password");
    expect(paths(auth({ passwordReset: { send } }))).not.toContain("/auth/send-verification-email");
    expect(paths(withEverything())).toHaveLength(AUTH_ENDPOINTS.length);
  });

  it("answers statuses from the code table, with Retry-After on 429 and WWW-Authenticate on 401", () => {
    const document = openApiDocument({ prefix: "/auth" });
    const signIn = document.paths["/auth/sign-in/email"]?.post;
    expect(Object.keys(signIn?.responses ?? {})).toEqual([
      "200",
      "400",
      "401",
      "403",
      "413",
      "415",
      "429",
      "500",
      "503",
    ]);
    expect(JSON.stringify(signIn?.responses["429"])).toContain("#/components/headers/Auth101RetryAfter");
    expect(JSON.stringify(signIn?.responses["401"])).toContain("#/components/headers/Auth101WwwAuthenticate");
    const session = document.paths["/auth/session"]?.get;
    expect(session?.security).toEqual([{ auth101Bearer: [] }, { auth101SessionCookie: [] }]);
    expect(session?.requestBody).toBeUndefined();
    expect(Object.keys(session?.responses ?? {})).toEqual(["200", "400", "401", "500", "503"]);
    for (const [, , operation] of operations(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const codes = /"enum":\[([^\]]*)\]/.exec(JSON.stringify(response))?.[1];
        for (const code of ERROR_CODES) {
          if (codes?.includes(`"${code}"`) && code !== "VALIDATION_ERROR") {
            expect(HTTP_STATUS_BY_CODE[code], `${operation.operationId} ${status} ${code}`).toBe(Number(status));
          }
        }
      }
    }
  });

  it("describes the request body from the fields the route reads", () => {
    const body = openApiDocument({ prefix: "/auth" }).paths["/auth/change-password"]?.post?.requestBody;
    expect(body?.content["application/json"]?.schema).toEqual({
      type: "object",
      description: "Other fields are ignored.",
      required: ["current_password", "new_password"],
      properties: {
        current_password: { type: "string" },
        new_password: { type: "string" },
        revoke_other_sessions: { type: "boolean" },
      },
    });
  });

  it("returns a fresh object each call, JSON as it is", () => {
    const first = openApiDocument({ prefix: "/auth" });
    first.components.schemas["Auth101User"] = {};
    delete first.paths["/auth/session"];
    const second = openApiDocument({ prefix: "/auth" });
    expect(second.components.schemas["Auth101User"]).not.toEqual({});
    expect(second.paths["/auth/session"]).toBeDefined();
    expect(JSON.parse(JSON.stringify(second))).toEqual(second);
  });
});

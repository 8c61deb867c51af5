// Every answer the suites receive, checked against the core's OpenAPI document with ajv
// (JSON Schema 2020-12, the dialect of OpenAPI 3.1): a status, header or body the document does
// not describe for its path and method fails the suite.
import type { OpenApiDocument, OpenApiHeader, OpenApiOperation, OpenApiPathItem, OpenApiResponse } from "@auth101/core";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { HttpAnswer, HttpExchange } from "./http-client.js";

const DOCUMENT_ID = "https://auth101.invalid/openapi.json";
const OPERATION_METHODS = ["get", "post", "delete"] as const;

/** Thrown for an answer the document does not describe. */
export class UndescribedAnswerError extends Error {
  override name = "UndescribedAnswerError";
}

export class OpenApiContract {
  readonly #document: OpenApiDocument;
  readonly #ajv: Ajv2020;
  readonly #templates: { readonly path: string; readonly segments: readonly string[] }[];

  constructor(document: OpenApiDocument) {
    this.#document = document;
    // Not strict: the document holds OpenAPI's own keywords around its schemas.
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.#ajv);
    this.#ajv.addSchema(JSON.parse(JSON.stringify(document)) as object, DOCUMENT_ID);
    this.#templates = Object.keys(document.paths).map((path) => ({ path, segments: path.split("/") }));
  }

  /**
   * Throws {@link UndescribedAnswerError} when the answer to a request for one of the
   * document's paths is not one the document describes. Other paths (the app's own routes,
   * its 404) are not the document's to judge.
   */
  check(exchange: HttpExchange, answer: HttpAnswer): void {
    const matched = this.#pathOf(exchange.path);
    if (matched === undefined) return;
    const method = exchange.method.toLowerCase();
    const operation = OPERATION_METHODS.includes(method as never)
      ? matched.item[method as (typeof OPERATION_METHODS)[number]]
      : undefined;
    const where =
      operation === undefined
        ? "#/components/responses/Auth101MethodNotAllowed"
        : `#/paths/${pointerEscape(matched.path)}/${method}/responses/${answer.status}`;
    const fail = (problem: string): never => {
      const body = answer.text.length > 300 ? `${answer.text.slice(0, 300)}…` : answer.text;
      throw new UndescribedAnswerError(
        `${exchange.method} ${exchange.path} answered ${answer.status}, which the OpenAPI document does not describe (${where}): ${problem}\nheaders: ${JSON.stringify(answer.headers)}\nbody: ${body}`,
      );
    };
    const response: OpenApiResponse | { $ref: string } =
      operation === undefined ? this.#methodNotAllowed(answer, fail) : responseOf(operation, answer, fail);
    // Where the response lives in the document, for ajv: its $ref, or the place it was found.
    const responsePointer = "$ref" in response ? response.$ref : where;
    const resolved = this.#resolve<OpenApiResponse>(response);

    for (const [name, declared] of Object.entries(resolved.headers ?? {})) {
      const header = this.#resolve<OpenApiHeader>(declared);
      const value = answer.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required === true) fail(`the header ${name} is missing`);
        continue;
      }
      const typed = header.schema.type === "integer" && /^\d+$/.test(value) ? Number(value) : value;
      const headerPointer = "$ref" in declared ? declared.$ref : `${responsePointer}/headers/${pointerEscape(name)}`;
      this.#validate(`${headerPointer}/schema`, typed, fail, `the header ${name}`);
    }

    const media = resolved.content?.["application/json"];
    // A HEAD answer has no body to check.
    if (media === undefined || method === "head") return;
    if (!/^application\/json\b/i.test(answer.headers["content-type"] ?? "")) fail("the body is not application/json");
    if (answer.json === undefined) fail("the body is not JSON");
    this.#validate(`${responsePointer}/content/application~1json/schema`, answer.json, fail, "the body");
  }

  #pathOf(requestPath: string): { path: string; item: OpenApiPathItem } | undefined {
    const given = (requestPath.split("?")[0] ?? "").split("/");
    for (const { path, segments } of this.#templates) {
      if (segments.length !== given.length) continue;
      const matches = segments.every((segment, index) =>
        segment.startsWith("{") ? (given[index] ?? "") !== "" : segment === given[index],
      );
      const item = this.#document.paths[path];
      if (matches && item !== undefined) return { path, item };
    }
    return undefined;
  }

  #methodNotAllowed(answer: HttpAnswer, fail: (problem: string) => never): { $ref: string } {
    if (answer.status !== 405) fail("a method the path does not serve must answer 405");
    return { $ref: "#/components/responses/Auth101MethodNotAllowed" };
  }

  #resolve<Target>(value: Target | { $ref: string }): Target {
    if (typeof value !== "object" || value === null || !("$ref" in value)) return value as Target;
    let target: unknown = this.#document;
    for (const part of value.$ref.replace(/^#\//, "").split("/")) {
      target = (target as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    }
    if (target === undefined) throw new Error(`the OpenAPI document has no ${value.$ref}`);
    return target as Target;
  }

  #validate(pointer: string, value: unknown, fail: (problem: string) => never, what: string): void {
    const validate = this.#ajv.getSchema(`${DOCUMENT_ID}${pointer}`);
    if (validate === undefined) throw new Error(`the OpenAPI document has no schema at ${pointer}`);
    if (!validate(value)) fail(`${what}: ${this.#ajv.errorsText(validate.errors)}`);
  }
}

function responseOf(
  operation: OpenApiOperation,
  answer: HttpAnswer,
  fail: (problem: string) => never,
): OpenApiOperation["responses"][string] {
  return operation.responses[String(answer.status)] ?? fail("no such status for this operation");
}

/** A path as one JSON-pointer token: `/auth/session` → `~1auth~1session`. */
function pointerEscape(token: string): string {
  return token.replace(/~/g, "~0").replace(/\//g, "~1");
}

import type { BodyFailure } from "@auth101/core";

/**
 * The `type` that Express's body parsers (body-parser, raw-body) put on the errors they pass
 * to `next(err)`, translated into the core's vocabulary. Errors of any other type (an app's
 * own `verify` hook refusing a body, or anything not from a body parser) are not ours to answer.
 */
const BODY_FAILURE_BY_ERROR_TYPE: Readonly<Record<string, BodyFailure>> = {
  "entity.parse.failed": "malformed",
  "request.size.invalid": "malformed",
  "request.aborted": "malformed",
  "entity.too.large": "too-large",
  "parameters.too.many": "too-large",
  "charset.unsupported": "unsupported-media-type",
  "encoding.unsupported": "unsupported-media-type",
};

/** Why an earlier body parser refused the request body, or `undefined` if `error` is not such a refusal. */
export function bodyParserFailure(error: unknown): BodyFailure | undefined {
  if (typeof error !== "object" || error === null || !("type" in error)) return undefined;
  const { type } = error;
  return typeof type === "string" && Object.hasOwn(BODY_FAILURE_BY_ERROR_TYPE, type)
    ? BODY_FAILURE_BY_ERROR_TYPE[type]
    : undefined;
}

/** The largest request body the auth endpoints accept, on every framework. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A request body as the HTTP handler receives it: parsed JSON, or why it could not be. */
export type RequestBody =
  | { readonly kind: "json"; readonly value: unknown }
  | { readonly kind: "invalid"; readonly reason: BodyFailure };

export type BodyFailure = "malformed" | "unsupported-media-type" | "too-large";

export interface RawBodySource {
  /** The request's `Content-Type` header. */
  readonly contentType: string | undefined;
  /** The request's `Content-Length` header, when it sent one. */
  readonly contentLength: string | undefined;
  /** The body's bytes, read no further than the limit. */
  readonly chunks: AsyncIterable<Uint8Array | string>;
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const mediaType = contentType.split(";", 1)[0]?.trim() ?? "";
  return JSON_MEDIA_TYPE.test(mediaType);
}

/**
 * Reads and parses a JSON request body with the shared size limit. Integrations call this on
 * the raw request stream when no body parser consumed it before them.
 */
export async function readJsonBody(source: RawBodySource, limit = MAX_BODY_BYTES): Promise<RequestBody> {
  const declaredLength = source.contentLength === undefined ? undefined : Number(source.contentLength);
  if (declaredLength !== undefined && Number.isFinite(declaredLength) && declaredLength > limit) {
    return invalid("too-large");
  }
  if (!isJsonContentType(source.contentType)) {
    // Content-Length 0 with no type is an empty body: report it as malformed, not as a type error.
    if (declaredLength === 0 || (source.contentType === undefined && declaredLength === undefined)) {
      return invalid("malformed");
    }
    return invalid("unsupported-media-type");
  }

  const parts: Buffer[] = [];
  let received = 0;
  for await (const chunk of source.chunks) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    received += bytes.length;
    if (received > limit) return invalid("too-large");
    parts.push(bytes);
  }
  return parseJsonText(Buffer.concat(parts).toString("utf8"));
}

/**
 * For a body some earlier middleware already parsed (for example `express.json()`), or raw
 * text it already read: turn it into a {@link RequestBody} the same way.
 */
export function parsedBody(value: unknown, contentType: string | undefined): RequestBody {
  if (!isJsonContentType(contentType)) return invalid("unsupported-media-type");
  if (typeof value === "string" || value instanceof Uint8Array) {
    const text = typeof value === "string" ? value : Buffer.from(value).toString("utf8");
    if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) return invalid("too-large");
    return parseJsonText(text);
  }
  return { kind: "json", value };
}

function parseJsonText(text: string): RequestBody {
  try {
    return { kind: "json", value: JSON.parse(text) as unknown };
  } catch {
    return invalid("malformed");
  }
}

function invalid(reason: BodyFailure): RequestBody {
  return { kind: "invalid", reason };
}

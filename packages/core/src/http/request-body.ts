import type { Readable } from "node:stream";

/** The largest request body the auth endpoints accept, on every framework. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A request body as the HTTP handler receives it: parsed JSON, or why it could not be. */
export type RequestBody =
  | { readonly kind: "json"; readonly value: unknown }
  | { readonly kind: "invalid"; readonly reason: BodyFailure };

export type BodyFailure = "malformed" | "unsupported-media-type" | "too-large";

/** The request headers that decide how (and whether) a body is read. */
export interface BodyHeaders {
  /** The request's `Content-Type` header. */
  readonly contentType: string | undefined;
  /** The request's `Content-Length` header, when it sent one. */
  readonly contentLength: string | undefined;
  /**
   * The request's `Content-Encoding` header. Any coding but `identity` is refused as an
   * unsupported media type (415): the endpoints take small bodies as they are, on every
   * framework, whether or not a body parser that inflates gzip ran before them.
   */
  readonly contentEncoding?: string | undefined;
}

export interface RawBodySource extends BodyHeaders {
  /** The body's bytes, read no further than the limit. */
  readonly chunks: AsyncIterable<Uint8Array | string>;
}

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;
const CHARSET_PARAMETER = /^\s*charset\s*=\s*"?([^";\s]*)"?\s*$/i;
const UTF8 = /^utf-?8$/i;

/**
 * Whether a `Content-Type` announces JSON the endpoints can read: `application/json` or a
 * `+json` type, in UTF-8 (RFC 8259 §8.1), so a `charset` parameter other than UTF-8 is refused
 * as body parsers such as Express's refuse it.
 */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [mediaType = "", ...parameters] = contentType.split(";");
  if (!JSON_MEDIA_TYPE.test(mediaType.trim())) return false;
  for (const parameter of parameters) {
    const charset = CHARSET_PARAMETER.exec(parameter)?.[1];
    if (charset !== undefined && !UTF8.test(charset)) return false;
  }
  return true;
}

/**
 * What the headers alone say is wrong with a body, checked in the same order on every path:
 * declared size, content coding, content type, emptiness.
 */
export function headerFailure(headers: BodyHeaders, limit: number): BodyFailure | undefined {
  const declaredLength = headers.contentLength === undefined ? undefined : Number(headers.contentLength);
  if (declaredLength !== undefined && Number.isFinite(declaredLength) && declaredLength > limit) return "too-large";
  if (isEncoded(headers.contentEncoding)) return "unsupported-media-type";
  if (!isJsonContentType(headers.contentType)) {
    // Content-Length 0 with no type is an empty body: report it as malformed, not as a type error.
    if (declaredLength === 0 || (headers.contentType === undefined && declaredLength === undefined)) return "malformed";
    return "unsupported-media-type";
  }
  return declaredLength === 0 ? "malformed" : undefined;
}

export function isEncoded(contentEncoding: string | undefined): boolean {
  if (contentEncoding === undefined) return false;
  return contentEncoding.split(",").some((coding) => !/^\s*(identity)?\s*$/i.test(coding));
}

/**
 * Reads and parses a JSON request body with the shared size limit. Integrations call this on
 * the raw request stream when no body parser consumed it before them.
 */
export async function readJsonBody(source: RawBodySource, limit = MAX_BODY_BYTES): Promise<RequestBody> {
  const failure = headerFailure(source, limit);
  if (failure !== undefined) return invalid(failure);

  const parts: Buffer[] = [];
  let received = 0;
  for await (const chunk of withoutDestroyOnReturn(source.chunks)) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk);
    received += bytes.length;
    if (received > limit) return invalid("too-large");
    parts.push(bytes);
  }
  return parseJsonText(Buffer.concat(parts).toString("utf8"));
}

/**
 * For a body some earlier middleware already parsed (for example `express.json()`), or raw
 * text it already read: turn it into a {@link RequestBody} the same way. Pass the request's
 * `Content-Length` and `Content-Encoding` in `headers` so that the checks run as
 * {@link readJsonBody} runs them (a parser turns an empty body into `{}`; only the declared
 * length tells).
 */
export function parsedBody(
  value: unknown,
  contentType: string | undefined,
  headers?: Omit<BodyHeaders, "contentType">,
): RequestBody {
  const failure =
    headers === undefined
      ? isJsonContentType(contentType)
        ? undefined
        : "unsupported-media-type"
      : headerFailure({ ...headers, contentType }, MAX_BODY_BYTES);
  if (failure !== undefined) return invalid(failure);
  if (typeof value === "string" || value instanceof Uint8Array) {
    const text = typeof value === "string" ? value : Buffer.from(value).toString("utf8");
    if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) return invalid("too-large");
    return parseJsonText(text);
  }
  // Without the original bytes, the compact JSON of the value is the least the body was, so a
  // value over the limit here was over it on the wire too (e.g. a chunked body an earlier
  // parser with a larger limit accepted).
  const compact = JSON.stringify(value) as string | undefined;
  if (compact !== undefined && Buffer.byteLength(compact, "utf8") > MAX_BODY_BYTES) return invalid("too-large");
  return { kind: "json", value };
}

/**
 * Leaving a `for await` over a Node request early calls `return()`, which by default destroys
 * the stream and its socket before the 413 is written. Detach without destroying instead; the
 * handler's 413 carries `Connection: close`, so the server closes the connection after
 * answering rather than reading the rest of an oversized upload.
 */
function withoutDestroyOnReturn(chunks: AsyncIterable<Uint8Array | string>): AsyncIterable<Uint8Array | string> {
  const stream = chunks as Partial<Pick<Readable, "iterator">>;
  return typeof stream.iterator === "function" ? stream.iterator.call(chunks, { destroyOnReturn: false }) : chunks;
}

function parseJsonText(text: string): RequestBody {
  try {
    // A leading byte order mark is allowed to be ignored (RFC 8259 §8.1), and body parsers do.
    const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    return { kind: "json", value: JSON.parse(json) as unknown };
  } catch {
    return invalid("malformed");
  }
}

export function invalid(reason: BodyFailure): RequestBody {
  return { kind: "invalid", reason };
}

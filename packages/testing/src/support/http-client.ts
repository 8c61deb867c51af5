// The suites' HTTP side: the server an integration starts for them, and one request per fresh connection.
import { request as httpRequest } from "node:http";
import type { Auth101, Auth101Options } from "@auth101/core";
import { openApiDocument } from "@auth101/core";
import { afterEach } from "vitest";
import { OpenApiContract } from "./openapi-contract.js";

/** A server an integration started for the suites: the four endpoints at `prefix`, and `GET /protected`. */
export interface ConformanceServer {
  /** Base URL such as `http://127.0.0.1:41234`, without a trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts a server the way a user of the integration would: the four auth endpoints mounted at
 * `prefix` (e.g. `/auth`), and `GET /protected` (outside the prefix) behind the integration's
 * "require a signed-in user" guard, answering 200 `{ id, email }` from the `User` it was given.
 * Anything else answers 404. Listen on 127.0.0.1, port 0.
 */
export type StartConformanceServer = (options: {
  /** The instance to serve: the suite keeps its store and checks what it did. */
  readonly auth: Auth101;
  /**
   * The options `auth` was built from, for an integration that builds its own instance from
   * options (e.g. NestJS's `Auth101Module.forRoot`): with the same store, secret and issuer
   * it behaves as `auth` does.
   */
  readonly authOptions: Auth101Options;
  readonly prefix: string;
}) => Promise<ConformanceServer>;

export const PROTECTED_PATH = "/protected";

/**
 * Call inside a describe block with a function that starts a server: it gives that function
 * back, and every server it starts in a test is closed after that test.
 */
export function closedAfterEach<Args extends unknown[], Server extends ConformanceServer>(
  start: (...args: Args) => Promise<Server>,
): (...args: Args) => Promise<Server> {
  const started: Server[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.close()));
  });
  return async (...args) => {
    const server = await start(...args);
    started.push(server);
    return server;
  };
}

export interface HttpExchange {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Send the body with `Transfer-Encoding: chunked` instead of a `Content-Length`. */
  readonly chunked?: boolean;
}

export interface HttpAnswer {
  readonly status: number;
  /** Lower-cased header names, as Node reports them. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
}

const ANSWER_TIMEOUT_MS = 10_000;

/**
 * One request on a fresh connection, with exactly the headers given (plus Host and the
 * body framing Node adds). Rejects when the server gives no complete answer in time:
 * a hang is a failure too.
 */
export function sendHttp(baseUrl: string, exchange: HttpExchange): Promise<HttpAnswer> {
  const url = new URL(baseUrl);
  const body = exchange.body === undefined ? undefined : toBuffer(exchange.body);
  const headers: Record<string, string> = { ...exchange.headers };
  if (body !== undefined && !exchange.chunked && !hasHeader(headers, "content-length")) {
    headers["content-length"] = String(body.length);
  }
  return new Promise<HttpAnswer>((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: exchange.method,
        path: exchange.path,
        headers,
        agent: false,
        timeout: ANSWER_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: response.statusCode ?? 0,
            headers: flatHeaders(response.headers),
            text,
            json: parseJson(text),
          });
        });
      },
    );
    request.on("timeout", () => {
      request.destroy(new Error(`${exchange.method} ${exchange.path}: no answer within ${ANSWER_TIMEOUT_MS} ms`));
    });
    // A server may answer (413, 415, 405, 401) before reading the whole body and close the
    // connection; the answer still arrives, so an error while writing is not a failure.
    request.on("error", reject);
    if (body === undefined) {
      request.end();
    } else if (exchange.chunked) {
      const pieceSize = 16 * 1024;
      for (let offset = 0; offset < body.length; offset += pieceSize)
        request.write(body.subarray(offset, offset + pieceSize));
      request.end();
    } else {
      request.end(body);
    }
  });
}

/**
 * A request sent with fetch, as an app's own client would send it (fetch's default headers,
 * kept-alive connections), the answer read whole. Use `sendHttp` where every header and the
 * framing must be exactly what the test says.
 */
export async function fetchAnswer(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(url, init);
  const text = await response.text();
  const headers: Record<string, string> = {};
  // Headers iterates Set-Cookie once a cookie; joined as Node and Headers.get join them.
  for (const [name, value] of response.headers) headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  return { status: response.status, headers, text, json: parseJson(text) };
}

/** POST `value` as JSON with fetch. */
export function postJson(url: string, value: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return fetchAnswer(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(value),
  });
}

/** A fetch body sent with `Transfer-Encoding: chunked` (no `Content-Length`): spread it into the init. */
export function chunkedBody(text: string): { body: ReadableStream<Uint8Array>; duplex: "half" } {
  const bytes = new TextEncoder().encode(text);
  const pieceSize = 16 * 1024;
  return {
    body: new ReadableStream({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += pieceSize)
          controller.enqueue(bytes.slice(offset, offset + pieceSize));
        controller.close();
      },
    }),
    duplex: "half",
  };
}

/** Sends requests to one server and answers as {@link sendHttp} does. */
export type SendHttp = (exchange: HttpExchange) => Promise<HttpAnswer>;

/**
 * What the suites send with: {@link sendHttp} to the server at `baseUrl`, every answer checked
 * against the core's OpenAPI document of what `auth` serves at `prefix`. An answer the document
 * does not describe (status, header or body) rejects.
 */
export function describedHttp(baseUrl: string, served: { readonly auth: Auth101; readonly prefix: string }): SendHttp {
  const contract = new OpenApiContract(openApiDocument(served));
  return async (exchange) => {
    const answer = await sendHttp(baseUrl, exchange);
    contract.check(exchange, answer);
    return answer;
  };
}

function toBuffer(body: string | Uint8Array): Buffer {
  return typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

function flatHeaders(headers: NodeJS.Dict<string | string[]>): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  return flat;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function jsonPost(path: string, body: unknown, headers: Record<string, string> = {}): HttpExchange {
  return {
    method: "POST",
    path,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The `token` of a sign-up or sign-in answer; throws, showing the answer, when there is none. */
export function tokenOf(answer: HttpAnswer): string {
  const { token } = (answer.json ?? {}) as { token?: unknown };
  if (typeof token !== "string") throw new Error(`no token in ${answer.text}`);
  return token;
}

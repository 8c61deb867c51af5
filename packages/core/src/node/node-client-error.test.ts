import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import type { Server } from "node:http";
import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Auth101 } from "../auth101.js";
import { createAuthHttpHandler } from "../http/auth-http-handler.js";
import { answerClientError } from "./node-client-error.js";
import { nodeHeaderReader, nodeRequestBody, sendNodeResponse } from "./node-request.js";

const SIGN_IN = "POST /auth/sign-in/email HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
const BODY = '{"email":"a@example.com","password":"pw-12345678"}';
const SMUGGLED = "GET /auth/session HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/** Raw requests Node's parser refuses, each with the status Node itself answers. */
const REFUSED: readonly (readonly [string, string, number])[] = [
  [
    "Content-Length and Transfer-Encoding",
    `${SIGN_IN}Content-Length: ${BODY.length}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
    400,
  ],
  [
    "Transfer-Encoding and Content-Length",
    `${SIGN_IN}Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\n${SMUGGLED}`,
    400,
  ],
  ["duplicate Content-Length", `${SIGN_IN}Content-Length: ${BODY.length}\r\nContent-Length: 3\r\n\r\n${BODY}`, 400],
  ["list Content-Length", `${SIGN_IN}Content-Length: ${BODY.length}, ${BODY.length}\r\n\r\n${BODY}`, 400],
  ["Content-Length of twenty nines", `${SIGN_IN}Content-Length: ${"9".repeat(20)}\r\n\r\n${BODY}`, 400],
  ["negative Content-Length", `${SIGN_IN}Content-Length: -1\r\n\r\n${BODY}`, 400],
  ["Transfer-Encoding chunked, identity", `${SIGN_IN}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`, 400],
  ["Transfer-Encoding with a space before the colon", `${SIGN_IN}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`, 400],
  ["invalid chunk size", `${SIGN_IN}Transfer-Encoding: chunked\r\n\r\nzz\r\n${BODY}\r\n0\r\n\r\n`, 400],
  ["NUL in the path", "GET /auth/sess\0ion HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400],
  ["NUL in a header value", "GET /auth/session HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer a\0b\r\n\r\n", 400],
  ["obsolete line folding", "GET /auth/session HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\r\n b\r\n\r\n", 400],
  ["bare LF line endings", "GET /auth/session HTTP/1.1\nHost: 127.0.0.1\n\n", 400],
  ["an invalid method", "G@T /auth/session HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400],
  ["an unknown HTTP version", "GET /auth/session HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n", 400],
  ["a 64 KB header", `GET /auth/session HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`, 431],
];

interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends bytes as they are and reads everything until the server closes the connection. */
function sendRaw(port: number, bytes: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", ...rest] = received.split("\r\n\r\n");
      const [statusLine = "", ...headerLines] = head.split("\r\n");
      const headers = Object.fromEntries(
        headerLines.map((line) => [
          line.slice(0, line.indexOf(":")).toLowerCase(),
          line.slice(line.indexOf(":") + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") });
    });
    socket.write(bytes);
  });
}

function authServer(): { server: Server; handled: () => number } {
  const handle = createAuthHttpHandler(
    new Auth101({ secret: "k3J9x!vQ2mZ7pL0wR5tY8uB1nC4eF6gH", onFailure: () => {} }),
  );
  let handled = 0;
  const server = createServer((request, response) => {
    handled += 1;
    const path = new URL(request.url ?? "/", "http://localhost").pathname.replace(/^\/auth/, "");
    void handle({
      method: request.method ?? "GET",
      path,
      header: nodeHeaderReader(request.headers),
      readBody: () => nodeRequestBody(request, () => undefined),
    }).then((answer) => {
      if (answer === undefined) response.writeHead(404).end();
      else sendNodeResponse(response, answer);
    });
  });
  return { server, handled: () => handled };
}

describe("answerClientError on a node:http server, over raw sockets", () => {
  const { server, handled } = authServer();
  server.on("clientError", answerClientError);
  let port = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it.each(REFUSED)(
    "answers %s with the JSON envelope, Node's status and Connection: close",
    async (_, bytes, status) => {
      const before = handled();
      const answer = await sendRaw(port, bytes);
      expect(answer.status).toBe(status);
      expect(answer.headers).toMatchObject({
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-store",
        connection: "close",
        "content-length": String(Buffer.byteLength(answer.body)),
      });
      expect(JSON.parse(answer.body)).toEqual({ error: { code: "VALIDATION_ERROR", message: expect.any(String) } });
      // Nothing smuggled behind it reached the app; a request whose headers were refused did not either.
      // (A bad chunk size is found in the body, after the app already has the request.)
      expect(handled()).toBe(bytes.includes("\r\n\r\nzz\r\n") ? before + 1 : before);
    },
  );

  it("still serves well-formed requests, before and after a refusal", async () => {
    const wellFormed = `${SIGN_IN}Content-Length: ${BODY.length}\r\nConnection: close\r\n\r\n${BODY}`;
    expect((await sendRaw(port, wellFormed)).status).toBe(401);
    await sendRaw(port, REFUSED[0]?.[1] ?? "");
    expect((await sendRaw(port, wellFormed)).status).toBe(401);
  });

  it("adds nothing when a response already went out on the connection", async () => {
    // The app answers before reading the body; the parser then fails inside that body.
    const early = createServer((_request, response) => response.writeHead(204, { connection: "close" }).end());
    early.on("clientError", answerClientError);
    await new Promise<void>((resolve) => early.listen(0, "127.0.0.1", resolve));
    try {
      const answer = await sendRaw(
        (early.address() as AddressInfo).port,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      );
      expect(answer.status).toBe(204);
      expect(answer.body).toBe("");
    } finally {
      await new Promise((resolve) => early.close(resolve));
    }
  });
});

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Auth101 } from "@auth101/core";
import { createAuthHttpHandler, readJsonBody } from "@auth101/core";

/**
 * The core's handler on a bare Node server, reading the raw request stream: what every
 * integration must answer, byte for byte, for the same request.
 */
export async function startReferenceServer(
  auth: Auth101,
  mountPath = "/auth",
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const handle = createAuthHttpHandler(auth);
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? "/", "http://localhost");
    const notFound = (): void => {
      response.statusCode = 404;
      response.end();
    };
    if (!pathname.startsWith(`${mountPath}/`)) return notFound();
    handle({
      method: request.method ?? "GET",
      path: pathname.slice(mountPath.length),
      authorization: request.headers.authorization,
      clientAddress: request.socket.remoteAddress,
      readBody: () =>
        readJsonBody({
          contentType: request.headers["content-type"],
          contentLength: request.headers["content-length"],
          contentEncoding: request.headers["content-encoding"],
          chunks: request,
        }),
    }).then(
      (answer) => {
        if (answer === undefined) return notFound();
        response.statusCode = answer.status;
        for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
        response.end(JSON.stringify(answer.body));
      },
      () => {
        response.statusCode = 500;
        response.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

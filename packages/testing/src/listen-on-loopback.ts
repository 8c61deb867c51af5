import type { RequestListener, Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ConformanceServer } from "./support/http-client.js";

/**
 * Serves a request listener (an Express app, `koaApp.callback()`, a bare handler) on
 * 127.0.0.1 on a free port: what a `StartConformanceServer` returns. Rejects when the server
 * cannot listen; `close()` also ends kept-alive connections, so it never waits on a client.
 * `configure` gets the server before it listens, e.g. to add the `clientError` listener the
 * integration's README asks for.
 */
export async function listenOnLoopback(
  listener: RequestListener,
  configure?: (server: Server) => void,
): Promise<ConformanceServer> {
  const server = createServer(listener);
  configure?.(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

import { once } from "node:events";
import type { RequestListener, Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ConformanceServer } from "@auth101/core/testing";

/** Serves a request listener (an Express app, `koaApp.callback()`) on 127.0.0.1, port 0. */
export async function listen(listener: RequestListener): Promise<ConformanceServer> {
  const server = createServer(listener);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return serverHandle(server);
}

export function serverHandle(server: Server): ConformanceServer {
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

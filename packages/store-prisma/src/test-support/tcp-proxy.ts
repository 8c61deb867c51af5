import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 in front of a database server, so a test can take "the database"
 * away and bring it back without touching the shared server other test runs use:
 * - `refuse()`: the port closes and open connections drop (a server that is down);
 * - `blackhole()`: connections stay open but nothing gets through (a server that hangs);
 * - `stallRepliesAfter(marker)`: requests still reach the server, but once one containing
 *   `marker` has passed, no reply comes back (the server acted, the answer is lost);
 * - `resetConnections()`: every open connection is cut with a TCP reset;
 * - `restore()`: forwarding again on the same port.
 */
export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #port = 0;
  #blackholed = false;
  #stallMarker: Buffer | undefined;
  #repliesStalled = false;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.#listen(0);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  async refuse(): Promise<void> {
    this.#dropConnections();
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  blackhole(): void {
    this.#blackholed = true;
  }

  stallRepliesAfter(marker: string): void {
    this.#stallMarker = Buffer.from(marker, "latin1");
  }

  resetConnections(): void {
    for (const socket of this.#sockets) socket.resetAndDestroy();
    this.#sockets.clear();
  }

  async restore(): Promise<void> {
    this.#stallMarker = undefined;
    if (this.#repliesStalled) {
      this.#repliesStalled = false;
      this.#dropConnections();
    }
    if (this.#blackholed) {
      this.#blackholed = false;
      // Whatever was swallowed left those connections out of step with the server.
      this.#dropConnections();
    }
    if (this.#server === undefined) await this.#listen(this.#port);
  }

  async close(): Promise<void> {
    await this.refuse();
  }

  async #listen(port: number): Promise<void> {
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
  }

  #accept(client: Socket): void {
    this.#track(client);
    if (this.#blackholed) {
      client.on("data", () => undefined);
      return;
    }
    const upstream = connect(this.#target.port, this.#target.host);
    this.#track(upstream);
    const forward = (from: Socket, to: Socket, isReply: boolean): void => {
      from.on("data", (chunk: Buffer) => {
        if (this.#blackholed || (isReply && this.#repliesStalled)) return;
        to.write(chunk);
        if (!isReply && this.#stallMarker !== undefined && chunk.includes(this.#stallMarker))
          this.#repliesStalled = true;
      });
      from.on("close", () => to.destroy());
    };
    forward(client, upstream, false);
    forward(upstream, client, true);
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.#sockets.delete(socket));
  }

  #dropConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

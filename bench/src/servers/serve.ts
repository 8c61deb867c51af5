import { once } from "node:events";
import type { RequestListener, Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ServerMessage } from "../protocol.js";

export interface RunningBenchServer {
  readonly server: Server;
  /** Releases what the server holds besides its socket (database connections). */
  readonly close?: () => Promise<void>;
}

/** Serves a request listener (an Express app, `koaApp.callback()`) on 127.0.0.1, port 0. */
export async function listen(listener?: RequestListener): Promise<Server> {
  const server = listener === undefined ? createServer() : createServer(listener);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

function send(message: ServerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      console.log(JSON.stringify(message));
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

function peakRssBytes(): number {
  // getrusage's ru_maxrss, which Node reports in kilobytes.
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * The life of a benchmark server process: start, tell the parent the port, serve until the
 * parent says stop (or goes away), then report peak RSS and exit. Run as a script
 * (`node dist/servers/x.js`) without a parent it prints the port and serves until Ctrl-C.
 */
export async function runBenchServer(start: () => Promise<RunningBenchServer>): Promise<void> {
  let running: RunningBenchServer;
  try {
    running = await start();
  } catch (error) {
    await send({ type: "failed", reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    process.exit(1);
  }
  const { port } = running.server.address() as AddressInfo;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    running.server.closeAllConnections();
    await new Promise<void>((resolve) => running.server.close(() => resolve()));
    await running.close?.().catch(() => {});
    if (process.connected) await send({ type: "stopped", peakRssBytes: peakRssBytes() });
    // A normal exit, so that --cpu-prof writes its profile.
    process.exit(0);
  };
  process.on("message", (message: unknown) => {
    if (typeof message !== "object" || message === null || !("type" in message)) return;
    if (message.type === "stop") void stop();
    if (message.type === "usage-request") {
      const { user, system } = process.cpuUsage();
      void send({ type: "usage", cpuMicros: user + system });
    }
  });
  // The harness went away without saying stop: do not outlive it.
  process.on("disconnect", () => void stop());
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());

  await send({ type: "listening", port });
}

import type { RequestListener, Server } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { Auth101 } from "@auth101/core";
import { answerClientError } from "@auth101/core/node";
import { loadDemoConfig, openDemoStore } from "./demo-config.js";
import { createDemoMailer, demoEmailOptions, describeMailDelivery } from "./mail.js";

/** Only the message: a driver's error object may carry the connection string. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs `start` when the calling module is the process's entry point (`node dist/main.js`),
 * not when a test imports it; a failure to start prints one line and exits with status 1.
 */
export function startIfEntryPoint(moduleUrl: string, name: string, start: () => Promise<void>): void {
  const entryPoint = process.argv[1];
  if (entryPoint === undefined || moduleUrl !== pathToFileURL(entryPoint).href) return;
  start().catch((error: unknown) => {
    console.error(`${name} failed to start:`, messageOf(error));
    process.exit(1);
  });
}

/**
 * The life of a demo on Node's http server (Express, Koa): open the store, listen on
 * 127.0.0.1:$PORT (answering what Node's parser refuses with the JSON envelope), and on
 * SIGINT/SIGTERM stop serving, let the emails already asked for go out, close the store and
 * exit 0.
 */
export async function serveDemo(
  name: string,
  createRequestListener: (auth: Auth101) => RequestListener,
): Promise<void> {
  const config = loadDemoConfig();
  const store = await openDemoStore(config);
  const mailer = createDemoMailer(config.smtpUrl);
  let listeningUrl = `http://${config.host}:${config.port}`;
  const auth = new Auth101({
    secret: config.secret,
    store,
    ...demoEmailOptions(config, mailer, () => listeningUrl),
  });

  const server = createServer(createRequestListener(auth));
  // Requests Node's parser refuses get the JSON error envelope too, not a bare status line.
  server.on("clientError", answerClientError);
  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    mailer.close();
    await store.close();
    throw error;
  }
  const { address, port } = server.address() as AddressInfo;
  listeningUrl = `http://${address}:${port}`;
  console.log(`${name} listening on ${listeningUrl}; ${describeMailDelivery(config)}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${name}: ${signal} received, closing`);
    // Requests in flight may finish; a client that keeps its connection open past that is cut.
    setTimeout(() => server.closeAllConnections(), 5_000).unref();
    server.close(() => {
      auth
        .whenIdle()
        .then(() => {
          mailer.close();
          return store.close();
        })
        .then(
          () => process.exit(0),
          (error: unknown) => {
            console.error(`${name}: closing the store failed:`, messageOf(error));
            process.exit(1);
          },
        );
    });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** Resolves once listening; rejects when the port cannot be had (taken, not permitted). */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

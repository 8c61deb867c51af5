import { IncomingMessage, ServerResponse } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { PassThrough } from "node:stream";

/**
 * What `BENCH_IN_PROCESS` asks a benchmark server to do instead of serving the harness: make
 * `warmup + requests` session requests in process, then exit. Run under callgrind twice with
 * two request counts, the difference is the instructions one request costs (see
 * instructions.ts).
 */
export interface InProcessRun {
  /** `auth101`: sign up accounts and send their tokens; `none`: send lookalike tokens. */
  readonly account: "auth101" | "none";
  readonly accounts: number;
  readonly warmup: number;
  readonly requests: number;
  readonly path: string;
}

export function inProcessRunOf(raw: string | undefined): InProcessRun | undefined {
  if (raw === undefined || raw === "") return undefined;
  return JSON.parse(raw) as InProcessRun;
}

/**
 * Sends `run.warmup + run.requests` `GET` requests through the server's own `request`
 * listener, one after the other, with no socket: the framework, auth101 and Node's HTTP
 * response code run as they do for a real request, the kernel's network stack does not.
 * Each answer must be 200.
 */
export async function runInProcess(server: Server, run: InProcessRun, lookalikeToken: () => string): Promise<void> {
  const tokens: string[] = [];
  for (let index = 0; index < run.accounts; index += 1) {
    tokens.push(run.account === "auth101" ? await signUp(server, index) : lookalikeToken());
  }
  const headers = tokens.map((token) => ({ host: "127.0.0.1", authorization: `Bearer ${token}` }));
  const send = async (from: number, to: number): Promise<void> => {
    for (let index = from; index < to; index += 1) {
      const status = await requestInProcess(server, run.path, headers[index % headers.length] ?? {});
      if (status !== 200) throw new Error(`GET ${run.path} answered ${status} in process`);
    }
  };
  await send(0, run.warmup);
  // With --expose-gc, a full collection before and after the counted requests: where the
  // collector would otherwise strike would move the count by more than a request costs, and
  // the one after charges the requests for all the garbage they left.
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  await send(run.warmup, run.warmup + run.requests);
  collect?.();
}

async function signUp(server: Server, index: number): Promise<string> {
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: `in-process-${index}@example.com`, password: "in-process-passphrase-41c7" }),
  });
  const body = (await response.json()) as { token?: unknown };
  if (typeof body.token !== "string") throw new Error(`sign-up answered ${response.status}`);
  return body.token;
}

/** One request through the server's `request` listeners; resolves the status once the response is finished. */
function requestInProcess(server: Server, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = Object.assign(new PassThrough(), {
      remoteAddress: "127.0.0.1",
      remotePort: 40000,
      encrypted: false,
    });
    socket.resume();
    // Node's constructor takes a net.Socket; a stream with its address stands in for one.
    const request = new IncomingMessage(socket as unknown as Socket);
    request.method = "GET";
    request.url = path;
    request.headers = headers;
    request.httpVersion = "1.1";
    request.httpVersionMajor = 1;
    request.httpVersionMinor = 1;
    request.complete = true;
    request.push(null);
    const response = new ServerResponse(request);
    response.assignSocket(socket as unknown as Socket);
    response.on("finish", () => resolve(response.statusCode));
    response.on("error", reject);
    server.emit("request", request, response);
  });
}

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { RequestListener } from "node:http";
import { Auth101, MemoryStore } from "@auth101/core";
import type { Auth101Options, UserStore } from "@auth101/core";

export interface RunningServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly origin: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on a free port. */
export async function serve(app: RequestListener): Promise<RunningServer> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export const TEST_SECRET = "express-integration-tests-secret-0123456789abcdef";

export function createAuth(store: UserStore = new MemoryStore(), options: Partial<Auth101Options> = {}): Auth101 {
  return new Auth101({ secret: TEST_SECRET, store, onFailure: () => {}, ...options });
}

/** A store that fails every call, as a database that is down would. */
export function unavailableStore(): UserStore {
  const down = (): Promise<never> => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
  return { findById: down, findByEmail: down, create: down, updatePasswordHash: down };
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

/** fetch, keeping the raw text so an HTML error page shows up in a failed assertion. */
export async function request(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

export function postJson(url: string, value: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(value),
  });
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

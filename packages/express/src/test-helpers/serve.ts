import type { RequestListener } from "node:http";
import { Auth101, MemoryStore } from "@auth101/core";
import type { Auth101Options, UserStore } from "@auth101/core";
import type { ConformanceServer } from "@auth101/testing";
import { listenOnLoopback } from "@auth101/testing";
import { afterEach } from "vitest";

/**
 * Call inside a describe block: the function it gives serves an app on 127.0.0.1 at a free
 * port and resolves its URL; every app started in a test is closed after that test.
 */
export function startAppsClosedAfterEach(): (app: RequestListener) => Promise<string> {
  const servers: ConformanceServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (app) => {
    const server = await listenOnLoopback(app);
    servers.push(server);
    return server.url;
  };
}

export const TEST_SECRET = "express-integration-tests-secret-0123456789abcdef";

export function createAuth(store: UserStore = new MemoryStore(), options: Partial<Auth101Options> = {}): Auth101 {
  return new Auth101({ secret: TEST_SECRET, store, onFailure: () => {}, ...options });
}

/** A store that fails every call, as a database that is down would. */
export function unavailableStore(): UserStore {
  const down = (): Promise<never> => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
  // Every method of the contract, present and failing.
  return new Proxy(new MemoryStore(), { get: () => down });
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

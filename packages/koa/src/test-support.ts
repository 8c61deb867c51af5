// Shared by this package's tests; excluded from the build.
import type { NewUser, OneTimeTokenPurpose, StoredOneTimeToken, StoredUser, User, UserStore } from "@auth101/core";
import { Auth101, MemoryStore } from "@auth101/core";
import { answerClientError } from "@auth101/core/node";
import type { ConformanceServer } from "@auth101/testing";
import { listenOnLoopback } from "@auth101/testing";
import type Koa from "koa";

export const TEST_SECRET = "koa-tests-secret-0123456789-abcdefghijklmnop";

export function createTestAuth(store: UserStore = new MemoryStore()): Auth101 {
  return new Auth101({ secret: TEST_SECRET, store, onFailure: () => {} });
}

/** A store whose database is down: every call rejects. */
export class UnavailableStore implements UserStore {
  findById(_id: string): Promise<User | null> {
    return this.#fail();
  }
  findByEmail(_email: string): Promise<StoredUser | null> {
    return this.#fail();
  }
  create(_user: NewUser): Promise<User> {
    return this.#fail();
  }
  updatePasswordHash(_id: string, _passwordHash: string): Promise<void> {
    return this.#fail();
  }
  replaceOneTimeToken(_token: StoredOneTimeToken): Promise<void> {
    return this.#fail();
  }
  consumeOneTimeToken(_tokenHash: string, _purpose: OneTimeTokenPurpose): Promise<StoredOneTimeToken | null> {
    return this.#fail();
  }
  deleteOneTimeTokens(_userId: string, _purpose?: OneTimeTokenPurpose): Promise<void> {
    return this.#fail();
  }
  markEmailVerified(_userId: string, _email: string): Promise<boolean> {
    return this.#fail();
  }
  #fail(): Promise<never> {
    return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
  }
}

export type RunningServer = ConformanceServer;

/**
 * Listens on 127.0.0.1 on a free port (as `app.listen` would: a Node server on `app.callback()`),
 * with the `clientError` listener the README asks for: without it, Node destroys the socket of
 * a request its parser refuses with the error, and Koa's default error log prints its stack.
 */
export function listen(app: Koa): Promise<RunningServer> {
  return listenOnLoopback(app.callback(), (server) => server.on("clientError", answerClientError));
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  readonly body: unknown;
  readonly text: string;
}

export async function send(url: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text so the assertion shows what came back
  }
  return { status: response.status, headers: response.headers, body, text };
}

export function postJson(url: string, value: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return send(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(value),
  });
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function tokenOf(reply: Reply): string {
  const { token } = reply.body as { token?: unknown };
  if (typeof token !== "string") throw new Error(`no token in ${reply.text}`);
  return token;
}

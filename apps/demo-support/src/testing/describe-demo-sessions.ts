import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mariadb from "mariadb";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningDemo } from "./demo-process.js";
import { bearer, killIfRunning, postJson, startDemoProcess, stopDemoProcess, tokenFrom } from "./demo-process.js";

/** The services every machine runs (see .ci/services); the same overrides as store-prisma's tests. */
const POSTGRES_SERVER_URL = process.env["AUTH101_TEST_POSTGRES_URL"] ?? "postgresql://postgres@127.0.0.1:5432/test";
const MARIADB_SERVER_URL = process.env["AUTH101_TEST_MARIADB_URL"] ?? "mysql://root@127.0.0.1:3306/test";

const SECRET = "demo-sessions-tests-secret-0123456789-abcdefghijk";
const PASSWORD = "correct horse battery staple";
const ISO_8601_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A database that exists for one describe only, under a random name, dropped afterwards. */
interface ThrowawayDatabase {
  /** The demo's DATABASE_URL. */
  readonly url: string;
  drop(): Promise<void>;
}

const randomName = (): string => `auth101_demo_${randomBytes(6).toString("hex")}`;

const DATABASES: readonly { readonly name: string; readonly create: () => Promise<ThrowawayDatabase> }[] = [
  {
    name: "SQLite",
    create: async () => {
      const directory = mkdtempSync(join(tmpdir(), "auth101-demo-sessions-"));
      return {
        url: `file:${join(directory, "demo.db")}`,
        drop: async () => rmSync(directory, { recursive: true, force: true }),
      };
    },
  },
  {
    name: "PostgreSQL",
    // The demo's store creates the schema named by ?schema= when it is missing.
    create: async () => {
      const schema = randomName();
      const url = new URL(POSTGRES_SERVER_URL);
      url.searchParams.set("schema", schema);
      return {
        url: url.toString(),
        drop: async () => {
          const admin = new pg.Client({ connectionString: POSTGRES_SERVER_URL });
          await admin.connect();
          try {
            await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          } finally {
            await admin.end();
          }
        },
      };
    },
  },
  {
    name: "MariaDB",
    create: async () => {
      const database = randomName();
      const server = new URL(MARIADB_SERVER_URL);
      const admin = (): Promise<mariadb.Connection> =>
        mariadb.createConnection({
          host: server.hostname,
          port: Number(server.port || 3306),
          user: decodeURIComponent(server.username),
          password: decodeURIComponent(server.password),
        });
      const connection = await admin();
      try {
        await connection.query(`CREATE DATABASE \`${database}\``);
      } finally {
        await connection.end();
      }
      const url = new URL(MARIADB_SERVER_URL);
      url.pathname = `/${database}`;
      return {
        url: url.toString(),
        drop: async () => {
          const connection = await admin();
          try {
            await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
          } finally {
            await connection.end();
          }
        },
      };
    },
  },
];

interface ListedSession {
  readonly id: string;
  readonly created_at: string;
  readonly expires_at: string;
  readonly current: boolean;
}

/**
 * The sessions of docs/http-api.md, black-box over HTTP as a client sees them, on the built
 * demo run as `node <mainJs>` twice on one database, for each of SQLite, PostgreSQL and
 * MariaDB: what one process ends, the other refuses on its very next request (no cache lets
 * an ended session through).
 */
export function describeSessionsOnEveryDatabase(mainJs: string, demoEnv: Readonly<Record<string, string>>): void {
  describe.each(DATABASES)("sessions over HTTP, two demo processes on one $name database", ({ create }) => {
    let database: ThrowawayDatabase | undefined;
    let first: RunningDemo;
    let second: RunningDemo;
    const running: RunningDemo[] = [];
    let emailCounter = 0;

    beforeAll(async () => {
      database = await create();
      const env = { AUTH101_SECRET: SECRET, DATABASE_URL: database.url, ...demoEnv };
      // Both open the fresh database at once, as instances of one deployment do.
      const started = await Promise.allSettled([startDemoProcess(mainJs, env), startDemoProcess(mainJs, env)]);
      for (const result of started) if (result.status === "fulfilled") running.push(result.value);
      for (const result of started) if (result.status === "rejected") throw result.reason;
      [first, second] = running as [RunningDemo, RunningDemo];
    }, 60_000);

    afterAll(async () => {
      // The last test stops both with SIGTERM; this is for a failure before it.
      for (const demo of running) killIfRunning(demo.child);
      await database?.drop();
    }, 30_000);

    const freshEmail = (label: string): string => {
      emailCounter += 1;
      return `${label}-${process.pid}-${emailCounter}@example.com`;
    };

    async function signUp(demo: RunningDemo, email: string): Promise<string> {
      const answer = await postJson(`${demo.url}/auth/sign-up/email`, { email, password: PASSWORD });
      expect(answer.status, demo.output()).toBe(200);
      return tokenFrom(answer);
    }

    async function signIn(demo: RunningDemo, email: string): Promise<string> {
      const answer = await postJson(`${demo.url}/auth/sign-in/email`, { email, password: PASSWORD });
      expect(answer.status, demo.output()).toBe(200);
      return tokenFrom(answer);
    }

    async function sessionsOf(demo: RunningDemo, token: string): Promise<ListedSession[]> {
      const answer = await fetch(`${demo.url}/auth/sessions`, { headers: bearer(token) });
      expect(answer.status, demo.output()).toBe(200);
      const body = (await answer.json()) as { sessions: ListedSession[] };
      return body.sessions;
    }

    /** The id of the session `token` names: the one its own listing marks current. */
    async function sessionIdOf(demo: RunningDemo, token: string): Promise<string> {
      const current = (await sessionsOf(demo, token)).filter((session) => session.current);
      expect(current).toHaveLength(1);
      return (current[0] as ListedSession).id;
    }

    async function post(demo: RunningDemo, path: string, token: string): Promise<Response> {
      return fetch(`${demo.url}${path}`, { method: "POST", headers: bearer(token) });
    }

    async function endSession(demo: RunningDemo, id: string, token: string): Promise<Response> {
      return fetch(`${demo.url}/auth/sessions/${encodeURIComponent(id)}`, { method: "DELETE", headers: bearer(token) });
    }

    async function expectSuccess(answer: Response): Promise<void> {
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ success: true });
    }

    async function expectAccepted(demo: RunningDemo, token: string, email: string): Promise<void> {
      const me = await fetch(`${demo.url}/me`, { headers: bearer(token) });
      expect(me.status, demo.output()).toBe(200);
      expect(await me.json()).toEqual({ id: expect.any(String), email });
    }

    /** An ended session: 401 INVALID_TOKEN on the endpoints' /session, the demo's /me and the session list. */
    async function expectRefused(demo: RunningDemo, token: string): Promise<void> {
      for (const path of ["/auth/session", "/me", "/auth/sessions"]) {
        const answer = await fetch(`${demo.url}${path}`, { headers: bearer(token) });
        expect(answer.status, path).toBe(401);
        expect(answer.headers.get("www-authenticate"), path).toMatch(/^Bearer\b/);
        expect(await answer.json(), path).toEqual({ error: { code: "INVALID_TOKEN", message: expect.any(String) } });
      }
    }

    it("lists every session sign-up and sign-in created, newest first, ISO 8601 times, the caller's marked current", async () => {
      const email = freshEmail("list");
      const startedAt = Date.now();
      const tokens = [await signUp(first, email), await signIn(second, email), await signIn(first, email)];
      const stranger = await signUp(first, freshEmail("stranger"));

      const listed = await sessionsOf(second, tokens[2] as string);
      expect(listed).toHaveLength(3);
      for (const session of listed) {
        expect(session).toEqual({
          id: expect.any(String),
          created_at: expect.stringMatching(ISO_8601_UTC),
          expires_at: expect.stringMatching(ISO_8601_UTC),
          current: expect.any(Boolean),
        });
        const created = Date.parse(session.created_at);
        expect(created).toBeGreaterThanOrEqual(startedAt - 1_000);
        expect(created).toBeLessThanOrEqual(Date.now() + 1_000);
        expect(Date.parse(session.expires_at)).toBeGreaterThan(Date.now());
      }
      // Each token's own listing marks its session current: newest first is the sign-in order reversed.
      const ids = [];
      for (const token of tokens) ids.push(await sessionIdOf(first, token));
      expect(new Set(ids).size).toBe(3);
      expect(listed.map((session) => session.id)).toEqual([...ids].reverse());
      expect(listed.map((session) => session.current)).toEqual([true, false, false]);
      const created = listed.map((session) => Date.parse(session.created_at));
      expect(created).toEqual([...created].sort((a, b) => b - a));
      // Both processes list the same sessions; no one else's.
      expect(await sessionsOf(first, tokens[2] as string)).toEqual(listed);
      expect(await sessionsOf(first, stranger)).toHaveLength(1);
    });

    it("POST /sign-out ends this session, refused by the other process on its very next request; other sessions remain", async () => {
      const email = freshEmail("sign-out");
      const leaving = await signUp(first, email);
      const staying = await signIn(first, email);
      // The other process has accepted the token already: nothing it remembers may let it through.
      await expectAccepted(second, leaving, email);

      await expectSuccess(await post(first, "/auth/sign-out", leaving));
      await expectRefused(second, leaving);
      await expectRefused(first, leaving);

      await expectAccepted(second, staying, email);
      const left = await sessionsOf(second, staying);
      expect(left).toEqual([expect.objectContaining({ current: true })]);
      // Signing out again is 200 too: there is nothing left to end.
      await expectSuccess(await post(second, "/auth/sign-out", leaving));
    });

    it("POST /sign-out/all ends every session of the user, this one included, on both processes", async () => {
      const email = freshEmail("sign-out-all");
      const tokens = [await signUp(first, email), await signIn(second, email), await signIn(first, email)];
      const strangerEmail = freshEmail("stranger");
      const stranger = await signUp(second, strangerEmail);
      for (const token of tokens) await expectAccepted(first, token, email);

      await expectSuccess(await post(second, "/auth/sign-out/all", tokens[0] as string));
      for (const token of tokens) {
        await expectRefused(first, token);
        await expectRefused(second, token);
      }
      // An ended session cannot end anything.
      expect((await post(first, "/auth/sign-out/all", tokens[1] as string)).status).toBe(401);
      await expectAccepted(first, stranger, strangerEmail);

      // The account itself is fine: a new sign-in starts the only session.
      const again = await signIn(first, email);
      expect(await sessionsOf(second, again)).toEqual([expect.objectContaining({ current: true })]);
    });

    it("DELETE /sessions/{id} ends one of the caller's sessions; the other process refuses it on its next request", async () => {
      const email = freshEmail("delete");
      const keeper = await signUp(first, email);
      const doomed = await signIn(second, email);
      await expectAccepted(second, doomed, email);
      const doomedId = await sessionIdOf(second, doomed);

      await expectSuccess(await endSession(first, doomedId, keeper));
      await expectRefused(second, doomed);
      await expectAccepted(second, keeper, email);
      expect((await sessionsOf(first, keeper)).map((session) => session.id)).toEqual([
        await sessionIdOf(first, keeper),
      ]);

      // Its own current session too: the token is refused from the next request on.
      await expectSuccess(await endSession(second, await sessionIdOf(first, keeper), keeper));
      await expectRefused(first, keeper);
    });

    it("DELETE /sessions/{id} with another user's session id or an unknown id answers the same 200 and changes nothing", async () => {
      const email = freshEmail("caller");
      const caller = await signUp(first, email);
      const victimEmail = freshEmail("victim");
      const victim = await signUp(second, victimEmail);
      const victimSessions = await sessionsOf(second, victim);
      const callerSessions = await sessionsOf(first, caller);

      for (const id of [(victimSessions[0] as ListedSession).id, randomUUID(), "not-a-session"]) {
        await expectSuccess(await endSession(first, id, caller));
      }
      await expectAccepted(second, victim, victimEmail);
      await expectAccepted(first, caller, email);
      expect(await sessionsOf(first, victim)).toEqual(victimSessions);
      expect(await sessionsOf(second, caller)).toEqual(callerSessions);
    });

    it("closes cleanly on SIGTERM, both processes", async () => {
      for (const demo of [first, second]) expect(await stopDemoProcess(demo, "SIGTERM"), demo.output()).toBe(0);
    });
  });
}

import { randomUUID } from "node:crypto";
import type { Request, Response } from "express";
import express from "express";
import { HEALTH_BODY, HEALTH_PATH } from "./fixtures.js";
import { openPrismaBenchStore } from "./prisma-store.js";
import { listen, runBenchServer } from "./serve.js";

/** What the session lookup answers, one row or none. */
interface SessionUserRow {
  readonly user_id: string;
  readonly email: string;
  readonly is_active: boolean;
  readonly expires_at: Date;
}

/** One query with the driver itself: the session and its user, joined, by the session's key. */
type FindSessionUser = (sessionId: string) => Promise<SessionUserRow | undefined>;

const SESSION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
const BEARER = /^Bearer ([^\s]+)$/;

function joinQuery(tablePrefix: string, placeholder: string): string {
  return (
    "SELECT s.user_id, s.expires_at, u.email, u.is_active" +
    ` FROM ${tablePrefix}auth_sessions s JOIN ${tablePrefix}auth_users u ON u.id = s.user_id WHERE s.id = ${placeholder}`
  );
}

/** `@libsql/client` on the SQLite file the store made: the driver `@prisma/adapter-libsql` wraps. */
async function sqliteLookup(databaseUrl: string): Promise<{ find: FindSessionUser; close: () => Promise<void> }> {
  const { createClient } = await import("@libsql/client");
  const client = createClient({ url: databaseUrl });
  const sql = joinQuery("", "?");
  return {
    find: async (sessionId) => {
      const [row] = (await client.execute({ sql, args: [sessionId] })).rows;
      if (row === undefined) return undefined;
      return {
        user_id: String(row["user_id"]),
        email: String(row["email"]),
        is_active: row["is_active"] === 1,
        expires_at: new Date(row["expires_at"] as string | number),
      };
    },
    close: async () => client.close(),
  };
}

/**
 * A `pg` pool on the store's PostgreSQL schema: the driver `@prisma/adapter-pg` wraps, with the
 * lookup as a named prepared statement and rows as arrays, as the store sends it.
 */
async function postgresLookup(databaseUrl: string): Promise<{ find: FindSessionUser; close: () => Promise<void> }> {
  const { default: pg } = await import("pg");
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get("schema") || "public";
  url.searchParams.delete("schema");
  const pool = new pg.Pool({ connectionString: url.toString() });
  const text = joinQuery(`"${schema.replaceAll('"', '""')}".`, "$1");
  return {
    find: async (sessionId) => {
      const { rows } = await pool.query<[string, Date, string, boolean]>({
        name: "anchor_find_session",
        text,
        values: [sessionId],
        rowMode: "array",
      });
      const row = rows[0];
      if (row === undefined) return undefined;
      const [userId, expiresAt, email, isActive] = row;
      return { user_id: userId, expires_at: expiresAt, email, is_active: isActive };
    },
    close: () => pool.end(),
  };
}

/**
 * The physical limit of a database-backed session check (case 1): a bare Express route that
 * reads the Bearer token's session and its user with one join through the driver the Prisma
 * store uses, refuses an expired session or inactive user, and answers the JSON auth101
 * answers. No ORM, no token signature. The tables are the store's own (made and filled by
 * `PrismaUserStore.open()`); its sign-up only stores a user and a session and answers the
 * session id as the token, so the harness prepares it like an auth101 server.
 */
await runBenchServer(async () => {
  const kind = process.env["BENCH_STORE"] ?? "";
  const { store, databaseUrl, close: closeStore } = await openPrismaBenchStore(kind, "_anchor");
  const lookup = kind === "prisma-sqlite" ? await sqliteLookup(databaseUrl) : await postgresLookup(databaseUrl);

  const app = express();
  app.post("/auth/sign-up/email", express.json(), async (req: Request, res: Response) => {
    const { email } = req.body as { email?: unknown };
    if (typeof email !== "string") {
      res.status(400).json({ error: { code: "VALIDATION_ERROR", message: "email" } });
      return;
    }
    const user = await store.create({ email, passwordHash: "not-a-hash: the anchor never signs in" });
    const now = new Date();
    const id = randomUUID();
    await store.createSession({
      id,
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS),
    });
    res.json({ user: { id: user.id, email: user.email, is_active: user.isActive }, token: id });
  });
  app.get("/auth/session", async (req: Request, res: Response) => {
    const token = BEARER.exec(req.headers.authorization ?? "")?.[1];
    const row = token === undefined ? undefined : await lookup.find(token);
    if (row === undefined || !row.is_active || row.expires_at.getTime() <= Date.now()) {
      res.status(401).json({ error: { code: "UNAUTHORIZED", message: "Not signed in" } });
      return;
    }
    res.json({ user: { id: row.user_id, email: row.email, is_active: row.is_active } });
  });
  app.get(HEALTH_PATH, (_req, res) => {
    res.json(HEALTH_BODY);
  });
  return {
    server: await listen(app),
    close: async () => {
      await lookup.close();
      await closeStore();
    },
  };
});

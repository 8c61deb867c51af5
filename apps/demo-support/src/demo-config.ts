import { randomBytes } from "node:crypto";
import type { UserStore } from "@auth101/core";
import { PrismaUserStore } from "@auth101/store-prisma";

export interface DemoConfig {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly secret: string;
  /** Where users live: `DATABASE_URL`, or an SQLite file beside the app. */
  readonly databaseUrl: string;
}

export const DEFAULT_DATABASE_URL = "file:./auth101-demo.db";

/** Reads PORT, AUTH101_SECRET and DATABASE_URL the same way in every demo app. */
export function loadDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const port = Number(env["PORT"] ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number; got ${env["PORT"]}`);
  }
  return {
    host: "127.0.0.1",
    port,
    secret: env["AUTH101_SECRET"] || developmentSecret(),
    databaseUrl: env["DATABASE_URL"] || DEFAULT_DATABASE_URL,
  };
}

function developmentSecret(): string {
  console.warn(
    [
      "",
      "  ************************************************************************",
      "  *  AUTH101_SECRET is not set: using a random secret for this process.  *",
      "  *  Every token dies when the server restarts. Never run like this in   *",
      "  *  production; set AUTH101_SECRET to 32+ random bytes.                 *",
      "  ************************************************************************",
      "",
    ].join("\n"),
  );
  return randomBytes(32).toString("base64url");
}

/** The demo's user store: Prisma on `config.databaseUrl`, table created if missing. */
export function openDemoStore(config: DemoConfig): Promise<UserStore & { close(): Promise<void> }> {
  return PrismaUserStore.open(config.databaseUrl);
}

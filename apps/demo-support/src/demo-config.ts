import { randomBytes } from "node:crypto";
import type { Auth101Options, UserStore } from "@auth101/core";
import { PrismaUserStore } from "@auth101/store-prisma";

export interface DemoConfig {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** `AUTH101_SECRET`, followed by `AUTH101_PREVIOUS_SECRETS` when set (a rotation). */
  readonly secret: Auth101Options["secret"];
  /** Where users live: `DATABASE_URL`, or an SQLite file beside the app. */
  readonly databaseUrl: string;
  /** `SMTP_URL`: the mail server for reset and verification emails; unset, they are printed. */
  readonly smtpUrl: string | undefined;
  /** `APP_URL` without a trailing slash; unset, the links use `http://127.0.0.1:<listening port>`. */
  readonly appUrl: string | undefined;
  /** `AUTH101_REQUIRE_EMAIL_VERIFICATION=true`: no sign-in before the email is verified. */
  readonly requireEmailVerification: boolean;
}

export const DEFAULT_DATABASE_URL = "file:./auth101-demo.db";

/**
 * Reads PORT, AUTH101_SECRET, AUTH101_PREVIOUS_SECRETS, DATABASE_URL, SMTP_URL, APP_URL and
 * AUTH101_REQUIRE_EMAIL_VERIFICATION the same way in every demo app.
 */
export function loadDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const port = Number(env["PORT"] ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number; got ${env["PORT"]}`);
  }
  return {
    host: "127.0.0.1",
    port,
    secret: secretOf(env["AUTH101_SECRET"], env["AUTH101_PREVIOUS_SECRETS"]),
    databaseUrl: env["DATABASE_URL"] || DEFAULT_DATABASE_URL,
    smtpUrl: env["SMTP_URL"] || undefined,
    appUrl: appUrlOf(env["APP_URL"]),
    requireEmailVerification: booleanOf(
      "AUTH101_REQUIRE_EMAIL_VERIFICATION",
      env["AUTH101_REQUIRE_EMAIL_VERIFICATION"],
    ),
  };
}

/**
 * The secret, or the rotation list: `AUTH101_PREVIOUS_SECRETS` holds the secrets that still
 * verify, comma-separated, newest first (blank entries, as after a trailing comma, are skipped).
 */
function secretOf(current: string | undefined, previous: string | undefined): Auth101Options["secret"] {
  const previousSecrets = (previous ?? "")
    .split(",")
    .map((secret) => secret.trim())
    .filter((secret) => secret !== "");
  if (current === undefined || current === "") {
    if (previousSecrets.length > 0) {
      throw new Error("AUTH101_PREVIOUS_SECRETS is set but AUTH101_SECRET is not: set the secret that signs too");
    }
    return developmentSecret();
  }
  return previousSecrets.length === 0 ? current : [current, ...previousSecrets];
}

function appUrlOf(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`APP_URL must be an http(s) URL such as https://app.example.com; got ${value}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`APP_URL must be an http(s) URL such as https://app.example.com; got ${value}`);
  }
  return url.href.replace(/\/+$/, "");
}

function booleanOf(name: string, value: string | undefined): boolean {
  if (value === undefined || value === "" || value === "false") return false;
  if (value === "true") return true;
  throw new Error(`${name} must be true or false; got ${value}`);
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

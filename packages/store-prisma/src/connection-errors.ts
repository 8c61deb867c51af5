import type { DatabaseTarget } from "./database-url.js";

/** Why `PrismaUserStore.open()` could not use the database. */
export type DatabaseConnectionFailure =
  | "connection-refused"
  | "host-not-found"
  | "authentication-failed"
  | "unknown-database"
  | "timed-out"
  | "cannot-open-file"
  | "other";

/**
 * `PrismaUserStore.open()` could not reach or use its database. The message is one sentence
 * naming the database (host, port and name; never the user's password) and the cause; the
 * driver's own error is `cause`, for logs that want every detail.
 */
export class DatabaseConnectionError extends Error {
  override readonly name = "DatabaseConnectionError";
  /** The cause, for code that reacts to it (for example: retry while "connection-refused"). */
  readonly failure: DatabaseConnectionFailure;

  constructor(message: string, failure: DatabaseConnectionFailure, options: { cause: unknown }) {
    super(message, options);
    this.failure = failure;
  }
}

/** Host, port and database name from a URL, for messages; never the user name's password. */
export interface DatabaseDescription {
  /** `the PostgreSQL database "app" at db.internal:5432`, `the SQLite database /var/lib/app/users.db` */
  readonly text: string;
  /** The user name in the URL, named when authentication fails. */
  readonly user: string | undefined;
  /** The database name, named when it does not exist. */
  readonly database: string;
}

export function describeDatabase(target: DatabaseTarget, sqlitePath?: string): DatabaseDescription {
  if (target.provider === "sqlite") {
    const path = sqlitePath ?? target.url.slice("file:".length);
    return { text: `the SQLite database ${path}`, user: undefined, database: path };
  }
  const url = new URL(target.url);
  const user = url.username === "" ? undefined : decodeURIComponent(url.username);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (target.provider === "postgresql") {
    // PostgreSQL's own default: the database named like the user.
    const database = name === "" ? (user ?? "postgres") : name;
    const host = url.hostname === "" ? "localhost" : url.hostname;
    return { text: `the PostgreSQL database "${database}" at ${host}:${url.port || "5432"}`, user, database };
  }
  const host = url.hostname === "" ? "localhost" : url.hostname;
  return { text: `the MySQL/MariaDB database "${name}" at ${host}:${url.port || "3306"}`, user, database: name };
}

/** The words after "could not connect to … :" for each failure. */
export function failureSentence(
  failure: DatabaseConnectionFailure,
  database: DatabaseDescription,
  detail: string,
): string {
  switch (failure) {
    case "connection-refused":
      return "connection refused (is the server running and listening on that port?)";
    case "host-not-found":
      return "the host name does not resolve";
    case "authentication-failed":
      return database.user === undefined
        ? "authentication failed (check the user name and password in the URL)"
        : `authentication failed for user "${database.user}" (check the user name and password in the URL)`;
    case "unknown-database":
      return `the database "${database.database}" does not exist`;
    case "timed-out":
      return `timed out ${detail}`;
    case "cannot-open-file":
      return detail;
    case "other":
      return detail;
  }
}

/**
 * Classifies a driver error (pg, mariadb, or Prisma's error around one) by its codes, never by
 * message text. Answers undefined when nothing recognisable is found.
 */
export function classifyDriverError(error: unknown): DatabaseConnectionFailure | undefined {
  for (const code of driverCodes(error)) {
    switch (code) {
      case "ECONNREFUSED":
      case "DatabaseNotReachable":
      case "P1001":
        return "connection-refused";
      case "ENOTFOUND":
      case "EAI_AGAIN":
        return "host-not-found";
      // PostgreSQL: invalid_authorization_specification (unknown role), invalid_password.
      case "28000":
      case "28P01":
      case "AuthenticationFailed":
      case "DatabaseAccessDenied":
      case "ER_ACCESS_DENIED_ERROR":
      case "ER_DBACCESS_DENIED_ERROR":
      case "P1000":
        return "authentication-failed";
      case "3D000":
      case "DatabaseDoesNotExist":
      case "ER_BAD_DB_ERROR":
      case "P1003":
        return "unknown-database";
      case "ETIMEDOUT":
      case "SocketTimeout":
      case "ER_CONNECTION_TIMEOUT":
      case "ER_GET_CONNECTION_TIMEOUT":
      case "45012": // the mariadb driver's ER_CONNECTION_TIMEOUT, as Prisma reports it
      case "45028": // the mariadb pool's ER_GET_CONNECTION_TIMEOUT, as Prisma reports it
      case "P1002":
      case "P2024":
        return "timed-out";
    }
  }
  return undefined;
}

/** The first code found, for the "other" sentence. */
export function firstDriverCode(error: unknown): string | undefined {
  return driverCodes(error)[0];
}

/**
 * Every code along the error's `cause` chain, Prisma's `meta.driverAdapterError` and an
 * AggregateError's `errors`, outermost first: `code` strings (ECONNREFUSED, 28P01,
 * ER_ACCESS_DENIED_ERROR, P1001), and the `kind` Prisma's driver adapters give a mapped error.
 */
function driverCodes(error: unknown): string[] {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 8) return;
    seen.add(value);
    const { code, kind, meta, cause, errors } = value as Record<string, unknown>;
    if (typeof code === "string" && code !== "" && code !== "P2010") codes.push(code);
    if (typeof kind === "string" && kind !== "postgres" && kind !== "mysql") codes.push(kind);
    // Prisma's mapped database error keeps the server's own code here.
    if (typeof kind === "string" && typeof (value as { originalCode?: unknown }).originalCode === "string")
      codes.push((value as { originalCode: string }).originalCode);
    if (typeof kind === "string" && typeof code === "number") codes.push(String(code));
    if (typeof meta === "object" && meta !== null)
      visit((meta as { driverAdapterError?: unknown }).driverAdapterError, depth + 1);
    visit(cause, depth + 1);
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  return codes;
}

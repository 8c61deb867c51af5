export type DatabaseProvider = "postgresql" | "mysql" | "sqlite";

export type DatabaseTarget =
  | { readonly provider: "postgresql"; readonly url: string; readonly schema: string }
  | { readonly provider: "mysql"; readonly url: string }
  | { readonly provider: "sqlite"; readonly url: string };

const SUPPORTED = "postgresql://, postgres://, mysql://, mariadb:// or file:";

/**
 * Works out which database a URL points at. Error messages name the scheme only: the URL may
 * carry a password.
 */
export function parseDatabaseUrl(databaseUrl: string): DatabaseTarget {
  if (typeof databaseUrl !== "string" || databaseUrl.trim() === "") {
    throw new TypeError(`PrismaUserStore.open() needs a database URL (${SUPPORTED})`);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(databaseUrl)?.[1]?.toLowerCase();
  switch (scheme) {
    case "postgresql":
    case "postgres":
      return { provider: "postgresql", url: databaseUrl, schema: postgresSchema(databaseUrl) };
    case "mysql":
    case "mariadb":
      return { provider: "mysql", url: databaseUrl };
    case "file":
      return { provider: "sqlite", url: databaseUrl };
    case undefined:
      throw new TypeError(`The database URL has no scheme; PrismaUserStore.open() accepts ${SUPPORTED} URLs`);
    default:
      throw new TypeError(
        `Unsupported database URL scheme "${scheme}:"; PrismaUserStore.open() accepts ${SUPPORTED} URLs`,
      );
  }
}

/** The `?schema=` parameter Prisma users know from earlier versions; `public` when absent. */
function postgresSchema(databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new TypeError(
      "The PostgreSQL database URL is not a valid URL (postgresql://user:password@host:port/database)",
    );
  }
  const schema = url.searchParams.get("schema");
  return schema === null || schema === "" ? "public" : schema;
}

import { describe, expect, it } from "vitest";
import { parseDatabaseUrl } from "./database-url.js";

describe("parseDatabaseUrl", () => {
  it.each([
    ["postgresql://u:p@db.example.com:5432/app", "postgresql"],
    ["postgres://u:p@db.example.com/app", "postgresql"],
    ["POSTGRESQL://u@host/app", "postgresql"],
    ["mysql://u:p@127.0.0.1:3306/app", "mysql"],
    ["mariadb://u:p@127.0.0.1/app", "mysql"],
    ["file:./auth101-demo.db", "sqlite"],
    ["file:/var/lib/app/users.db", "sqlite"],
  ])("reads %s as %s", (url, provider) => {
    expect(parseDatabaseUrl(url).provider).toBe(provider);
  });

  it("takes the PostgreSQL schema from ?schema=, public by default", () => {
    expect(parseDatabaseUrl("postgresql://u@h/app?schema=tenant_1")).toMatchObject({ schema: "tenant_1" });
    expect(parseDatabaseUrl("postgresql://u@h/app")).toMatchObject({ schema: "public" });
  });

  it("refuses other schemes, naming the scheme but never echoing the URL", () => {
    const attempt = (): unknown => parseDatabaseUrl("mongodb://admin:hunter2@db/app");
    expect(attempt).toThrow(/Unsupported database URL scheme "mongodb:".*postgresql:\/\/.*mysql:\/\/.*file:/);
    expect(attempt).not.toThrow(/hunter2/);
  });

  it("refuses an empty URL or one without a scheme", () => {
    expect(() => parseDatabaseUrl("")).toThrow(TypeError);
    expect(() => parseDatabaseUrl("./users.db")).toThrow(/no scheme/);
  });

  it("refuses a malformed PostgreSQL URL without echoing it", () => {
    expect(() => parseDatabaseUrl("postgresql://user:hunter2@[bad")).toThrow(/not a valid URL/);
    expect(() => parseDatabaseUrl("postgresql://user:hunter2@[bad")).not.toThrow(/hunter2/);
  });
});

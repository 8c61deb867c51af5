import { describe, expect, it } from "vitest";
import { importOptionalPackage } from "./optional-package.js";
import { PrismaUserStore } from "./index.js";

describe("new PrismaUserStore(client)", () => {
  it("explains what is missing when the client has no auth101 model", () => {
    expect(() => new PrismaUserStore({} as never)).toThrow(/model Auth101User.*auth_users/);
    expect(() => new PrismaUserStore(undefined as never)).toThrow(TypeError);
  });

  it("names the session model when the client predates it", () => {
    const usersOnly = { auth101User: { findUnique: () => Promise.resolve(null) } };
    expect(() => new PrismaUserStore(usersOnly as never)).toThrow(/model Auth101Session.*auth_sessions/);
  });
});

describe("PrismaUserStore.open() arguments", () => {
  it("refuses an unsupported URL before connecting", async () => {
    await expect(PrismaUserStore.open("redis://127.0.0.1:6379")).rejects.toThrow(
      /Unsupported database URL scheme "redis:"/,
    );
  });

  it("refuses nonsense timeouts", async () => {
    await expect(PrismaUserStore.open("file:/tmp/never-created.db", { connectTimeoutMs: 0 })).rejects.toThrow(
      RangeError,
    );
    await expect(PrismaUserStore.open("file:/tmp/never-created.db", { queryTimeoutMs: Number.NaN })).rejects.toThrow(
      /queryTimeoutMs/,
    );
  });
});

describe("importOptionalPackage", () => {
  it("says which package to install when it is missing", async () => {
    const name = "@prisma/adapter-that-does-not-exist";
    const attempt = importOptionalPackage(
      name,
      () => import(/* @vite-ignore */ name),
      "PrismaUserStore.open() on a test URL",
    );
    await expect(attempt).rejects.toThrow(
      /PrismaUserStore.open\(\) on a test URL needs the "@prisma\/adapter-that-does-not-exist" package.*npm install @prisma\/adapter-that-does-not-exist/,
    );
  });

  it("passes other failures through unchanged", async () => {
    const failure = new Error("adapter exploded");
    await expect(importOptionalPackage("x", () => Promise.reject(failure), "test")).rejects.toBe(failure);
  });
});

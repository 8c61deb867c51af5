import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import type { UserStore } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import { describeDemoApp } from "@auth101/demo-support/testing";
import { describe, expect, it } from "vitest";
import { NEST_PLATFORMS, createApp, nestPlatformOf } from "./main.js";

describe.each(NEST_PLATFORMS)("on %s (NEST_PLATFORM)", (platform) => {
  describeDemoApp("nestjs-demo", {
    builtMain: new URL("../dist/main.js", import.meta.url),
    serveInProcess: async (auth101Options) => {
      const app = await createApp(auth101Options, false, platform);
      await app.listen(0, "127.0.0.1");
      return { url: await app.getUrl(), close: () => app.close() };
    },
    env: { NEST_PLATFORM: platform },
  });
});

describe("NEST_PLATFORM", () => {
  it("is Express when unset or empty, Fastify on request, and anything else an error", () => {
    expect(nestPlatformOf({})).toBe("express");
    expect(nestPlatformOf({ NEST_PLATFORM: "" })).toBe("express");
    expect(nestPlatformOf({ NEST_PLATFORM: "fastify" })).toBe("fastify");
    expect(() => nestPlatformOf({ NEST_PLATFORM: "koa" })).toThrow(
      'NEST_PLATFORM must be "express" or "fastify"; got "koa"',
    );
  });
});

describe.each(NEST_PLATFORMS)("createApp (in process) on %s, Nest's part", (platform) => {
  it("closes the store when the app closes", async () => {
    let closed = 0;
    const store: UserStore & { close(): Promise<void> } = Object.assign(new MemoryStore(), {
      close: async () => {
        closed += 1;
      },
    });
    const app = await createApp({ secret: "nestjs-demo-tests-secret-0123456789-abcdefghij", store }, false, platform);
    await app.init();
    expect(closed).toBe(0);
    await app.close();
    expect(closed).toBe(1);
  });
});

describe("the workspace", () => {
  it("resolves one copy of @nestjs/core for the demo and @auth101/nestjs (Nest's DI needs one)", () => {
    const fromDemo = createRequire(import.meta.url);
    const fromIntegration = createRequire(fromDemo.resolve("@auth101/nestjs/package.json"));
    const corePackage = (require: NodeJS.Require): string => realpathSync(require.resolve("@nestjs/core/package.json"));
    expect(corePackage(fromIntegration)).toBe(corePackage(fromDemo));
    for (const platform of ["@nestjs/platform-express", "@nestjs/platform-fastify"]) {
      const fromPlatform = createRequire(fromDemo.resolve(`${platform}/package.json`));
      expect(corePackage(fromPlatform), platform).toBe(corePackage(fromDemo));
    }
  });
});

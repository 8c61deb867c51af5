import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import type { UserStore } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import { describeDemoApp } from "@auth101/demo-support/testing";
import { describe, expect, it } from "vitest";
import { createApp } from "./main.js";

describeDemoApp("nestjs-demo", {
  builtMain: new URL("../dist/main.js", import.meta.url),
  serveInProcess: async (auth101Options) => {
    const app = await createApp(auth101Options, false);
    await app.listen(0, "127.0.0.1");
    return { url: await app.getUrl(), close: () => app.close() };
  },
});

describe("createApp (in process), Nest's part", () => {
  it("closes the store when the app closes", async () => {
    let closed = 0;
    const store: UserStore & { close(): Promise<void> } = Object.assign(new MemoryStore(), {
      close: async () => {
        closed += 1;
      },
    });
    const app = await createApp({ secret: "nestjs-demo-tests-secret-0123456789-abcdefghij", store }, false);
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
    const fromPlatform = createRequire(fromDemo.resolve("@nestjs/platform-express/package.json"));
    expect(corePackage(fromPlatform)).toBe(corePackage(fromDemo));
  });
});

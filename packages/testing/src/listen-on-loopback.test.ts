import { Agent, request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { listenOnLoopback } from "./listen-on-loopback.js";

describe("listenOnLoopback", () => {
  it("serves the listener on 127.0.0.1 at a free port", async () => {
    const server = await listenOnLoopback((_request, response) => response.end("hello"));
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${server.url}/anything`)).text()).toBe("hello");
    } finally {
      await server.close();
    }
  });

  it("closes without waiting for a client that keeps its connection open", async () => {
    const server = await listenOnLoopback((_request, response) => response.end("hello"));
    const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
    try {
      await new Promise<void>((resolve, reject) => {
        httpRequest(`${server.url}/`, { agent }, (response) => response.resume().on("end", resolve))
          .on("error", reject)
          .end();
      });
      const started = Date.now();
      await server.close();
      expect(Date.now() - started).toBeLessThan(1_000);
      await expect(fetch(server.url)).rejects.toThrow();
    } finally {
      agent.destroy();
    }
  });
});

// The one framework-specific test helper: an Express app served as a test starts it. The rest
// (requests, answers, a failing store, an Auth101 for tests) comes from @auth101/testing.
import type { RequestListener } from "node:http";
import { createRequire } from "node:module";
import type { ConformanceServer } from "@auth101/testing";
import { listenOnLoopback } from "@auth101/testing";
import express5 from "express";
import express4 from "express-4";

export type ExpressModule = typeof express5;

const require = createRequire(import.meta.url);

function major(packageName: string): string {
  return (require(`${packageName}/package.json`) as { version: string }).version.split(".", 1)[0] ?? "";
}

/** Every suite runs against both majors the peer dependency allows. */
export const EXPRESS_VERSIONS: ReadonlyArray<readonly [name: string, express: ExpressModule]> = [
  [`Express ${major("express")}`, express5],
  [`Express ${major("express-4")}`, express4],
];

/** Serves an Express app (any request listener) on 127.0.0.1 on a free port, as `app.listen` would. */
export function serve(app: RequestListener): Promise<ConformanceServer> {
  return listenOnLoopback(app);
}

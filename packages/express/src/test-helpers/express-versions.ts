import { createRequire } from "node:module";
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

import "reflect-metadata";
import type { INestApplication, ModuleMetadata, NestApplicationOptions } from "@nestjs/common";
import { Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { ExpressAdapter, NestExpressApplication } from "@nestjs/platform-express";
import type { NestFastifyApplication } from "@nestjs/platform-fastify";
import { FastifyAdapter } from "@nestjs/platform-fastify";

export const SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

export interface RunningApp {
  readonly app: INestApplication;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/** The two HTTP platforms @auth101/nestjs serves on; the tests that hold for both run on each. */
export const PLATFORMS = ["express", "fastify"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A real Nest application listening on 127.0.0.1 on a free port, on Express unless told otherwise. */
export async function startNestApp(
  metadata: ModuleMetadata,
  options: NestApplicationOptions & {
    readonly platform?: Platform;
    readonly configure?: (app: NestExpressApplication & NestFastifyApplication) => void;
    /** An adapter of the app's own making (its own Express instance, Fastify options). */
    readonly adapter?: ExpressAdapter | FastifyAdapter;
  } = {},
): Promise<RunningApp> {
  @Module(metadata)
  class TestAppModule {}

  const { configure, adapter, platform = "express", ...appOptions } = options;
  const chosenAdapter = adapter ?? (platform === "fastify" ? new FastifyAdapter() : undefined);
  const app =
    chosenAdapter === undefined
      ? await NestFactory.create(TestAppModule, { logger: false, ...appOptions })
      : await NestFactory.create(TestAppModule, chosenAdapter, { logger: false, ...appOptions });
  configure?.(app as NestExpressApplication & NestFastifyApplication);
  await app.listen(0, "127.0.0.1");
  return { app, url: await app.getUrl(), close: () => app.close() };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
}

export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return request(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** A body sent with `Transfer-Encoding: chunked` (no `Content-Length`). */
export function chunkedBody(text: string): { body: ReadableStream<Uint8Array>; duplex: "half" } {
  const bytes = new TextEncoder().encode(text);
  return {
    body: new ReadableStream({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 16 * 1024)
          controller.enqueue(bytes.slice(offset, offset + 16 * 1024));
        controller.close();
      },
    }),
    duplex: "half",
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

import "reflect-metadata";
import type { INestApplication, ModuleMetadata, NestApplicationOptions } from "@nestjs/common";
import { Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import type { ExpressAdapter, NestExpressApplication } from "@nestjs/platform-express";

export const SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

export interface RunningApp {
  readonly app: INestApplication;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

/** A real Nest application (Express platform) listening on 127.0.0.1 on a free port. */
export async function startNestApp(
  metadata: ModuleMetadata,
  options: NestApplicationOptions & {
    readonly configure?: (app: NestExpressApplication) => void;
    /** An adapter around the app's own Express instance. */
    readonly adapter?: ExpressAdapter;
  } = {},
): Promise<RunningApp> {
  @Module(metadata)
  class TestAppModule {}

  const { configure, adapter, ...appOptions } = options;
  const app =
    adapter === undefined
      ? await NestFactory.create<NestExpressApplication>(TestAppModule, { logger: false, ...appOptions })
      : await NestFactory.create<NestExpressApplication>(TestAppModule, adapter, { logger: false, ...appOptions });
  configure?.(app);
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

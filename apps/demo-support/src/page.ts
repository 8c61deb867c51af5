import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The sign-in page every demo serves: static files from `apps/demo-support/page`, plain
 * HTML with one script and one stylesheet from the same origin, so the strict policy below
 * holds (no inline script or style anywhere).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export interface PageAnswer {
  readonly status: 200;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

interface PageFile {
  readonly file: string;
  readonly contentType: string;
  /** Pages opened from an emailed link carry a token in their URL: never sent on as a Referer. */
  readonly carriesToken?: true;
}

const PAGE_FILES: Readonly<Record<string, PageFile>> = {
  "/": { file: "index.html", contentType: "text/html; charset=utf-8" },
  "/reset-password": { file: "reset-password.html", contentType: "text/html; charset=utf-8", carriesToken: true },
  "/verify-email": { file: "verify-email.html", contentType: "text/html; charset=utf-8", carriesToken: true },
  "/assets/page.js": { file: "page.js", contentType: "text/javascript; charset=utf-8" },
  "/assets/page.css": { file: "page.css", contentType: "text/css; charset=utf-8" },
};

/** The paths the page answers, for a framework that routes each path by name. */
export const PAGE_PATHS: readonly string[] = Object.keys(PAGE_FILES);

const PAGE_DIRECTORY = new URL("../page/", import.meta.url);
const contents = new Map<string, Buffer>();

function contentOf(file: string): Buffer {
  let body = contents.get(file);
  if (body === undefined) {
    body = readFileSync(new URL(file, PAGE_DIRECTORY));
    contents.set(file, body);
  }
  return body;
}

/**
 * The answer to a GET or HEAD of one of the page's paths (`url` may carry a query string),
 * or `undefined` for anything else: pass it on.
 */
export function pageAnswer(method: string, url: string): PageAnswer | undefined {
  if (method !== "GET" && method !== "HEAD") return undefined;
  const queryStart = url.indexOf("?");
  const page = PAGE_FILES[queryStart === -1 ? url : url.slice(0, queryStart)];
  if (page === undefined) return undefined;
  const headers: Record<string, string> = {
    "content-type": page.contentType,
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "cache-control": page.carriesToken ? "no-store" : "no-cache",
  };
  if (page.carriesToken) headers["referrer-policy"] = "no-referrer";
  return { status: 200, headers, body: contentOf(page.file) };
}

/**
 * Node middleware for the page (Express, and Nest on Express): answers and resolves true,
 * or leaves the request alone and answers false.
 */
export function servePage(req: IncomingMessage, res: ServerResponse): boolean {
  const answer = pageAnswer(req.method ?? "GET", req.url ?? "/");
  if (answer === undefined) return false;
  res.writeHead(answer.status, { ...answer.headers, "content-length": String(answer.body.length) });
  res.end(req.method === "HEAD" ? undefined : answer.body);
  return true;
}

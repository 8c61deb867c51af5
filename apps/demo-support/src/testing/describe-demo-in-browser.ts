import { mkdirSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import type { Auth101Options } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { chromium } from "playwright-core";
import { listenOnLoopback } from "@auth101/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemoConfig } from "../demo-config.js";
import type { DemoMailer } from "../mail.js";
import { createDemoMailer, demoEmailOptions } from "../mail.js";
import type { InProcessDemo } from "./describe-demo-app.js";
import type { SmtpInbox } from "./smtp-inbox.js";
import { linkIn, startSmtpInbox } from "./smtp-inbox.js";

/** Debian's Chromium (package `chromium`; `.ci/run` installs it). Never a browser a test tool downloads. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Headless, as root, on a machine with no network but loopback: without the background
 * networking flags Chromium keeps trying to reach Google's hosts at every start.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Where each step's screenshot goes: `screenshots/<demo>/` at the repository root (git-ignored). */
const SCREENSHOT_ROOT = fileURLToPath(new URL("../../../../screenshots/", import.meta.url));

const SECRET = "demo-browser-tests-secret-0123456789-abcdefghijkl";
const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "a different horse, still stapled";
/** Every wait on the page; a step that takes longer has failed. */
const STEP_TIMEOUT_MS = 15_000;
const TEST_TIMEOUT_MS = 90_000;

export interface DemoInBrowserOptions {
  /** Serves the demo's `createApp` in this process on 127.0.0.1 at a free port, with these options. */
  readonly serveInProcess: (options: Auth101Options) => Promise<InProcessDemo>;
}

/**
 * The demo's sign-in page driven in a real Chromium through playwright-core, the same way
 * for every demo (the page is shared, and so are its `data-testid`s): sign-up, a reload,
 * where the token is not, password change, sign-out everywhere from a second browser,
 * and a hostile page's forged requests. A screenshot of every step lands in
 * `screenshots/<name>/`.
 */
export function describeDemoInBrowser(name: string, options: DemoInBrowserOptions): void {
  describe(`${name} in Chromium`, () => {
    let browser: Browser;
    let demo: InProcessDemo;
    let inbox: SmtpInbox;
    let mailer: DemoMailer;
    let hostile: HostileSite;
    let step = 0;
    const screenshotDirectory = `${SCREENSHOT_ROOT}${name}/`;

    beforeAll(async () => {
      rmSync(screenshotDirectory, { recursive: true, force: true });
      mkdirSync(screenshotDirectory, { recursive: true });
      // The demo as a deployment runs it, its emails going over SMTP to a real server here.
      inbox = await startSmtpInbox();
      const config = loadDemoConfig({ AUTH101_SECRET: SECRET, SMTP_URL: inbox.url });
      mailer = createDemoMailer(config.smtpUrl);
      let url = "http://127.0.0.1:0";
      demo = await options.serveInProcess({
        secret: config.secret,
        store: new MemoryStore(),
        ...demoEmailOptions(config, mailer, () => url),
      });
      url = demo.url;
      hostile = await startHostileSite(demo.url);
      // launch() gives the browser a fresh, throw-away user-data directory of its own.
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [...CHROMIUM_ARGS],
        timeout: 30_000,
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await hostile?.close();
      await demo?.close();
      mailer?.close();
      await inbox?.close();
    }, 30_000);

    async function newContext(): Promise<BrowserContext> {
      const context = await browser.newContext({ viewport: { width: 760, height: 860 } });
      context.setDefaultTimeout(STEP_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
      return context;
    }

    async function screenshot(page: Page, label: string): Promise<void> {
      step += 1;
      const file = `${screenshotDirectory}${String(step).padStart(2, "0")}-${label}.png`;
      await page.screenshot({ path: file, fullPage: true });
    }

    async function openPage(context: BrowserContext): Promise<Page> {
      const page = await context.newPage();
      await page.goto(`${demo.url}/`);
      // The script has asked GET /me and shown the answer.
      await page.waitForLoadState("networkidle");
      return page;
    }

    async function signUp(page: Page, email: string, password = PASSWORD): Promise<void> {
      await page.getByTestId("email").fill(email);
      await page.getByTestId("password").fill(password);
      await page.getByTestId("sign-up").click();
      await expectSignedInAs(page, email);
    }

    async function signIn(page: Page, email: string, password: string): Promise<void> {
      await page.getByTestId("email").fill(email);
      await page.getByTestId("password").fill(password);
      await page.getByTestId("sign-in").click();
    }

    async function expectSignedInAs(page: Page, email: string): Promise<void> {
      await expect.poll(() => page.getByTestId("signed-in-as").textContent()).toBe(email);
    }

    async function expectSignedOut(page: Page): Promise<void> {
      await expect.poll(() => page.getByTestId("signed-in-as").textContent()).toBe("");
      await expect.poll(() => page.getByTestId("sign-in").isVisible()).toBe(true);
    }

    async function messageOf(page: Page): Promise<string> {
      return (await page.getByTestId("message").textContent()) ?? "";
    }

    it(
      "signs up, stays signed in across a reload, keeps the token where no script can read it, signs out and in",
      async () => {
        const context = await newContext();
        try {
          const page = await context.newPage();
          const answerTexts: Promise<string>[] = [];
          page.on("response", (response) => {
            if (response.url().startsWith(`${demo.url}/auth/`) || response.url() === `${demo.url}/me`) {
              answerTexts.push(response.text().catch(() => ""));
            }
          });
          await page.goto(`${demo.url}/`);
          await page.waitForLoadState("networkidle");
          await expectSignedOut(page);
          await screenshot(page, "signed-out");

          const email = uniqueEmail("ada");
          await signUp(page, email);
          await expect.poll(() => messageOf(page)).toContain(`Signed up as ${email}`);
          await screenshot(page, "signed-up");

          await page.reload();
          await page.waitForLoadState("networkidle");
          await expectSignedInAs(page, email);
          await screenshot(page, "reloaded-still-signed-in");

          const cookies = await context.cookies(demo.url);
          const session = cookies.find((cookie) => cookie.name === "__Host-auth101_session");
          expect(session, JSON.stringify(cookies)).toMatchObject({
            httpOnly: true,
            secure: true,
            sameSite: "Lax",
            path: "/",
            domain: new URL(demo.url).hostname,
          });
          const token = session?.value ?? "";
          expect(token).toMatch(/^eyJ/);
          // The cookie lives as long as the token: the default 7 days.
          expect((session?.expires ?? 0) - Date.now() / 1000).toBeGreaterThan(7 * 24 * 3600 - 120);

          // Evaluated in the page (as text: this package is compiled without the DOM's types).
          const reachable = (await page.evaluate(
            "({ cookie: document.cookie, local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }) })",
          )) as { cookie: string; local: string; session: string };
          expect(reachable.cookie).not.toContain("auth101_session");
          for (const place of Object.values(reachable)) expect(place).not.toContain(token);
          for (const text of await Promise.all(answerTexts)) expect(text).not.toContain(token);
          expect(answerTexts.length).toBeGreaterThanOrEqual(3);

          await page.getByTestId("sign-out").click();
          await expectSignedOut(page);
          await expect.poll(() => messageOf(page)).toContain("Signed out");
          const names = (await context.cookies(demo.url)).map((cookie) => cookie.name);
          expect(names).not.toContain("__Host-auth101_session");
          await screenshot(page, "signed-out-again");
          await signIn(page, email, PASSWORD);
          await expectSignedInAs(page, email);
        } finally {
          await context.close();
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "changes the password: the old one stops working, the new one signs in",
      async () => {
        const context = await newContext();
        try {
          const page = await openPage(context);
          const email = uniqueEmail("grace");
          await signUp(page, email);
          await page.getByTestId("current-password").fill(PASSWORD);
          await page.getByTestId("new-password").fill(NEW_PASSWORD);
          await page.getByTestId("change-password").click();
          await expect.poll(() => messageOf(page)).toContain("Password changed");
          await screenshot(page, "password-changed");
          // The change issued a new session: still signed in, across a reload.
          await page.reload();
          await expectSignedInAs(page, email);

          await page.getByTestId("sign-out").click();
          await expectSignedOut(page);
          await signIn(page, email, PASSWORD);
          await expect.poll(() => messageOf(page)).toContain("INVALID_CREDENTIALS");
          await screenshot(page, "old-password-refused");
          await signIn(page, email, NEW_PASSWORD);
          await expectSignedInAs(page, email);
        } finally {
          await context.close();
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "signs a second browser out with 'sign out everywhere' in the first",
      async () => {
        const first = await newContext();
        const second = await newContext();
        try {
          const email = uniqueEmail("edsger");
          const firstPage = await openPage(first);
          await signUp(firstPage, email);
          const secondPage = await openPage(second);
          await signIn(secondPage, email, PASSWORD);
          await expectSignedInAs(secondPage, email);

          await firstPage.reload();
          await expectSignedInAs(firstPage, email);
          await expect.poll(() => firstPage.getByTestId("sessions").locator("li").count()).toBe(2);
          await screenshot(firstPage, "two-sessions");

          await firstPage.getByTestId("sign-out-all").click();
          await expectSignedOut(firstPage);
          await expect.poll(() => messageOf(firstPage)).toContain("Signed out everywhere");
          await screenshot(firstPage, "signed-out-everywhere");
          expect((await first.cookies(demo.url)).map((cookie) => cookie.name)).not.toContain("__Host-auth101_session");

          await secondPage.reload();
          await expectSignedOut(secondPage);
          await screenshot(secondPage, "second-browser-signed-out");
        } finally {
          await first.close();
          await second.close();
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "verifies the email through the emailed link, and resets a forgotten password through another",
      async () => {
        const context = await newContext();
        try {
          const page = await openPage(context);
          const email = uniqueEmail("barbara");
          await signUp(page, email);
          const verification = linkIn(await inbox.nextMailTo(email), "/verify-email");
          expect(verification.url.origin).toBe(demo.url);
          const linkPage = await context.newPage();
          await linkPage.goto(verification.url.href);
          await expect.poll(() => messageOf(linkPage)).toContain("Email verified");
          // The token left the address bar (and the history) once read.
          expect(linkPage.url()).toBe(`${demo.url}/verify-email`);
          await screenshot(linkPage, "email-verified");

          await page.getByTestId("sign-out").click();
          await expectSignedOut(page);
          await page.getByTestId("email").fill(email);
          await page.getByTestId("forgot-password").click();
          await expect.poll(() => messageOf(page)).toContain("a reset link is on its way");
          await screenshot(page, "reset-requested");

          const reset = linkIn(await inbox.nextMailTo(email), "/reset-password");
          expect(reset.url.origin).toBe(demo.url);
          await linkPage.goto(reset.url.href);
          expect(linkPage.url()).toBe(`${demo.url}/reset-password`);
          await linkPage.getByTestId("new-password").fill(NEW_PASSWORD);
          await linkPage.getByTestId("reset-password").click();
          await expect.poll(() => messageOf(linkPage)).toContain("Password changed");
          await screenshot(linkPage, "password-reset");
          // The link works once.
          await linkPage.goto(reset.url.href);
          await linkPage.getByTestId("new-password").fill("yet another passphrase 42");
          await linkPage.getByTestId("reset-password").click();
          await expect.poll(() => messageOf(linkPage)).toContain("INVALID_RESET_TOKEN");

          await signIn(page, email, PASSWORD);
          await expect.poll(() => messageOf(page)).toContain("INVALID_CREDENTIALS");
          await signIn(page, email, NEW_PASSWORD);
          await expectSignedInAs(page, email);
          await screenshot(page, "signed-in-with-new-password");
        } finally {
          await context.close();
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "refuses a hostile page's forged requests (form POSTs, fetch with credentials): 403 and the session survives",
      async () => {
        const context = await newContext();
        try {
          const page = await openPage(context);
          const email = uniqueEmail("mallory-target");
          await signUp(page, email);

          const attacker = await context.newPage();
          const forged: Response[] = [];
          attacker.on("response", (response) => {
            if (new URL(response.url()).origin === demo.url) forged.push(response);
          });
          await attacker.goto(`${hostile.url}/fetch?password=${encodeURIComponent(PASSWORD)}`);
          await attacker.waitForSelector("body[data-done]");
          await screenshot(attacker, "hostile-fetch");
          for (const path of ["/auth/sign-out/all", "/auth/change-password"]) {
            await attacker.goto(
              `${hostile.url}/form?path=${encodeURIComponent(path)}&password=${encodeURIComponent(PASSWORD)}`,
            );
            // The form submits itself; the browser lands on the demo's answer.
            await attacker.waitForURL(`${demo.url}${path}`);
            expect(await attacker.textContent("body")).toContain("FORBIDDEN");
            await screenshot(attacker, `hostile-form${path.replaceAll("/", "-")}`);
          }

          const posts = forged.filter((response) => response.request().method() === "POST");
          expect(posts.map((response) => new URL(response.url()).pathname).sort()).toEqual([
            "/auth/change-password",
            "/auth/change-password",
            "/auth/sign-out/all",
            "/auth/sign-out/all",
          ]);
          // 403, not 401: these requests cannot carry X-Auth101-Transport (it would need a
          // preflight), so only the session cookie puts them in the cookie transport. The
          // browser did attach it (the hostile origin is same-site), and the CSRF check, not
          // SameSite, refused them.
          for (const response of posts) expect(response.status(), response.url()).toBe(403);

          await page.reload();
          await expectSignedInAs(page, email);
          await page.getByTestId("sign-out").click();
          await expectSignedOut(page);
          await signIn(page, email, PASSWORD);
          await expectSignedInAs(page, email);
          await screenshot(page, "session-survived-hostile-page");
        } finally {
          await context.close();
        }
      },
      TEST_TIMEOUT_MS,
    );
  });
}

function attribute(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;");
}

function uniqueEmail(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 10)}@example.com`;
}

interface HostileSite {
  /** `http://127.0.0.1:<another port>`: another origin, but the same site as the demo. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * An attacker's pages on another port of 127.0.0.1. Another origin than the demo, but the
 * same site, so the browser still attaches the `SameSite=Lax` session cookie to what these
 * pages send: only the CSRF check stands in the way. `GET /fetch` sends `fetch`es with
 * credentials (simple requests, and a JSON one that needs a preflight); `GET /form?path=…`
 * submits a form to the demo.
 */
function startHostileSite(demoUrl: string): Promise<HostileSite> {
  const page = (body: string): string =>
    `<!doctype html><html><head><meta charset="utf-8"><title>Win a prize</title></head><body><h1>Win a prize!</h1>${body}</body></html>`;
  return listenOnLoopback((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://hostile.invalid");
    const password = url.searchParams.get("password") ?? "";
    const changePassword = JSON.stringify({ current_password: password, new_password: "attacker-chosen-password-1" });
    let body: string;
    if (url.pathname === "/fetch") {
      body = `<script>
        const target = ${JSON.stringify(demoUrl)};
        const simple = { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" } };
        Promise.allSettled([
          fetch(target + "/auth/sign-out/all", { ...simple, body: "{}" }),
          fetch(target + "/auth/change-password", { ...simple, body: ${JSON.stringify(changePassword)} }),
          fetch(target + "/auth/sign-out/all", { method: "POST", credentials: "include",
            headers: { "content-type": "application/json" }, body: "{}" }),
        ]).then(() => { document.body.dataset.done = "true"; });
      </script>`;
    } else if (url.pathname === "/form") {
      // text/plain with the JSON split across name and value: the classic JSON CSRF form.
      const name = attribute(`${changePassword.slice(0, -1)},"x":"`);
      const action = attribute(`${demoUrl}${url.searchParams.get("path") ?? "/"}`);
      body = `<form method="post" enctype="text/plain" action="${action}">
        <input type="hidden" name="${name}" value="&quot;}"></form>
        <script>document.forms[0].submit();</script>`;
    } else {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page(body));
  });
}

import { mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Auth101Options } from "@auth101/core";
import { MemoryStore } from "@auth101/core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { chromium } from "playwright-core";
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
  });
}

function uniqueEmail(label: string): string {
  return `${label}-${Math.random().toString(36).slice(2, 10)}@example.com`;
}

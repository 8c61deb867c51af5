import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountEmails, createDemoMailer, DEMO_MAIL_FROM } from "../mail.js";
import type { SmtpInbox } from "./smtp-inbox.js";
import { linkIn, startSmtpInbox } from "./smtp-inbox.js";

describe("the demo mailer and the SMTP inbox", () => {
  let inbox: SmtpInbox;
  beforeAll(async () => {
    inbox = await startSmtpInbox();
  });
  afterAll(() => inbox.close());

  it("delivers over SMTP with nodemailer, decoded on arrival", async () => {
    const mailer = createDemoMailer(inbox.url);
    try {
      await mailer.send({ to: "Ana@Example.com", subject: "Hello ✓", text: `line one\n${"long ".repeat(40)}end` });
    } finally {
      mailer.close();
    }
    const mail = await inbox.nextMailTo("ana@example.com");
    expect(mail).toMatchObject({
      from: DEMO_MAIL_FROM.replace("auth101 demo", '"auth101 demo"'),
      to: ["ana@example.com"],
      subject: "Hello ✓",
    });
    // Long lines travel soft-wrapped (quoted-printable) and arrive whole.
    expect(mail.text.trimEnd()).toBe(`line one\n${"long ".repeat(40)}end`);
  });

  it("links to APP_URL/reset-password and APP_URL/verify-email with the token as a query parameter", async () => {
    const mailer = createDemoMailer(inbox.url);
    const emails = accountEmails(mailer, () => "https://app.example.com/base");
    const token = "Ab-_0123456789abcdefghijklmnopqrstuvwxyzABCD".slice(0, 43);
    const expiresAt = new Date(Date.now() + 60 * 60_000);
    try {
      await emails.passwordReset({ email: "reset@example.com", token, expiresAt });
      await emails.emailVerification({ email: "verify@example.com", token, expiresAt });
    } finally {
      mailer.close();
    }
    const reset = await inbox.nextMailTo("reset@example.com");
    expect(reset.subject).toBe("Reset your password");
    expect(reset.text).toContain("for 60 minutes");
    expect(linkIn(reset, "/base/reset-password")).toEqual({
      url: new URL(`https://app.example.com/base/reset-password?token=${token}`),
      token,
    });
    const verify = await inbox.nextMailTo("verify@example.com");
    expect(verify.subject).toBe("Verify your email address");
    expect(linkIn(verify, "/base/verify-email").token).toBe(token);
  });

  it("waits for a mail not yet sent, and takes each mail once", async () => {
    const waiting = inbox.nextMailTo("later@example.com");
    const mailer = createDemoMailer(inbox.url);
    try {
      await mailer.send({ to: "later@example.com", subject: "first", text: "1" });
      await mailer.send({ to: "later@example.com", subject: "second", text: "2" });
    } finally {
      mailer.close();
    }
    expect((await waiting).subject).toBe("first");
    expect((await inbox.nextMailTo("later@example.com")).subject).toBe("second");
    await expect(inbox.nextMailTo("later@example.com", 50)).rejects.toThrow(/no email to later@example.com/);
  });

  it("prints the email to stdout when SMTP_URL is unset", async () => {
    const printed: string[] = [];
    const emails = accountEmails(
      createDemoMailer(undefined, (text) => printed.push(text)),
      () => "http://127.0.0.1:3000",
    );
    await emails.emailVerification({
      email: "dev@example.com",
      token: "t0k3n",
      expiresAt: new Date(Date.now() + 30 * 60_000),
    });
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain("To: dev@example.com");
    expect(printed[0]).toContain("http://127.0.0.1:3000/verify-email?token=t0k3n");
  });

  it("rejects when the mail server cannot be reached", async () => {
    const mailer = createDemoMailer("smtp://127.0.0.1:1");
    try {
      await expect(mailer.send({ to: "x@example.com", subject: "s", text: "t" })).rejects.toThrow();
    } finally {
      mailer.close();
    }
  });
});

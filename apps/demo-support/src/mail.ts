import type { Auth101Options } from "@auth101/core";
import { createTransport } from "nodemailer";
import type { DemoConfig } from "./demo-config.js";

/** An email a demo sends: plain text, one recipient. */
export interface DemoEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Sends the demos' emails; `close()` lets go of the SMTP connection. */
export interface DemoMailer {
  send(email: DemoEmail): Promise<void>;
  close(): void;
}

export const DEMO_MAIL_FROM = "auth101 demo <no-reply@example.com>";

/**
 * Over SMTP with nodemailer when `smtpUrl` is given (`smtp://127.0.0.1:2525`,
 * `smtps://user:pass@smtp.example.com`), else written to stdout for a developer to copy the
 * link from. A failed delivery rejects; the core hands it to `onFailure`.
 */
export function createDemoMailer(smtpUrl: string | undefined, print: (text: string) => void = console.log): DemoMailer {
  if (smtpUrl === undefined) {
    return {
      async send(email) {
        print(
          [
            "---------------------------------------- email (SMTP_URL is not set)",
            `From: ${DEMO_MAIL_FROM}`,
            `To: ${email.to}`,
            `Subject: ${email.subject}`,
            "",
            email.text,
            "----------------------------------------",
          ].join("\n"),
        );
      },
      close() {},
    };
  }
  const transport = createTransport(
    // Bounded waits: an unreachable mail server fails the delivery instead of holding it for minutes.
    { url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 },
    { from: DEMO_MAIL_FROM },
  );
  return {
    async send(email) {
      await transport.sendMail({ to: email.to, subject: email.subject, text: email.text });
    },
    close() {
      transport.close();
    },
  };
}

/** What the core hands a sender: the address, the one-time token for the link, its expiry. */
export interface AccountEmail {
  readonly email: string;
  readonly token: string;
  readonly expiresAt: Date;
}

function minutesUntil(time: Date): number {
  return Math.max(1, Math.round((time.getTime() - Date.now()) / 60_000));
}

/**
 * The demos' password-reset and verification emails: a link to `APP_URL/reset-password?token=…`
 * or `APP_URL/verify-email?token=…`. `appUrl` is asked at send time, because the port is only
 * known once the server listens (`PORT=0`).
 */
export function accountEmails(mailer: DemoMailer, appUrl: () => string) {
  const link = (path: string, token: string): string => {
    const url = new URL(path, `${appUrl()}/`);
    url.searchParams.set("token", token);
    return url.href;
  };
  return {
    passwordReset: (message: AccountEmail): Promise<void> =>
      mailer.send({
        to: message.email,
        subject: "Reset your password",
        text: [
          "Someone asked to reset the password of the account with this email address.",
          `To choose a new password, open this link (it works once, for ${minutesUntil(message.expiresAt)} minutes):`,
          "",
          link("reset-password", message.token),
          "",
          "If it was not you, ignore this email: your password has not changed.",
        ].join("\n"),
      }),
    emailVerification: (message: AccountEmail): Promise<void> =>
      mailer.send({
        to: message.email,
        subject: "Verify your email address",
        text: [
          `To confirm that this email address is yours, open this link (it works once, for ${minutesUntil(message.expiresAt)} minutes):`,
          "",
          link("verify-email", message.token),
          "",
          "If you did not sign up, ignore this email.",
        ].join("\n"),
      }),
  };
}

/**
 * The options that turn on password reset and email verification in a demo, mailing with
 * `mailer`. Links go to APP_URL, else to `listeningUrl()` (asked at send time: with PORT=0
 * the port is known only once the server listens).
 */
export function demoEmailOptions(
  config: DemoConfig,
  mailer: DemoMailer,
  listeningUrl: () => string,
): Required<Pick<Auth101Options, "passwordReset" | "emailVerification">> {
  const emails = accountEmails(mailer, () => config.appUrl ?? listeningUrl());
  return {
    passwordReset: { send: emails.passwordReset },
    emailVerification: { send: emails.emailVerification, required: config.requireEmailVerification },
  };
}

/** One line saying where the demo's emails go (never the SMTP URL itself: it may hold a password). */
export function describeMailDelivery(config: DemoConfig): string {
  return config.smtpUrl === undefined
    ? "emails are printed here (set SMTP_URL to send them)"
    : "emails are sent over SMTP (SMTP_URL)";
}

import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** One email as the inbox received it, decoded. */
export interface ReceivedMail {
  readonly from: string;
  /** The envelope recipients (RCPT TO), lower-cased. */
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

/** A real SMTP server on 127.0.0.1 that keeps every email it is sent. */
export interface SmtpInbox {
  /** `smtp://127.0.0.1:<port>`: what a demo's `SMTP_URL` is set to. */
  readonly url: string;
  /** Every email received so far, oldest first. */
  readonly received: readonly ReceivedMail[];
  /**
   * The oldest email to `to` not yet taken by an earlier call (received already or yet to
   * come); rejects, naming what did arrive, when none comes within `withinMs`.
   */
  nextMailTo(to: string, withinMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/**
 * Starts an SMTP server (the `smtp-server` package) in this process on a free loopback port.
 * It takes mail without authentication or TLS, as a developer's local mail catcher does.
 */
export async function startSmtpInbox(): Promise<SmtpInbox> {
  const received: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiting = new Set<() => void>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          received.push({
            from: parsed.from?.text ?? "",
            to: session.envelope.rcptTo.map((recipient) => recipient.address.toLowerCase()),
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
          });
          for (const wake of waiting) wake();
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;

  const takeFor = (to: string): ReceivedMail | undefined => {
    const mail = received.find((candidate) => !taken.has(candidate) && candidate.to.includes(to.toLowerCase()));
    if (mail !== undefined) taken.add(mail);
    return mail;
  };

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    nextMailTo(to, withinMs = 10_000) {
      const ready = takeFor(to);
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          const mail = takeFor(to);
          if (mail === undefined) return;
          clearTimeout(timer);
          waiting.delete(wake);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiting.delete(wake);
          const arrived = received.map((mail) => `${mail.to.join(",")}: ${mail.subject}`).join("; ") || "nothing";
          reject(new Error(`no email to ${to} within ${withinMs} ms (received: ${arrived})`));
        }, withinMs);
        waiting.add(wake);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The link in `mail` to `path` (`/reset-password`) and its `token` query parameter; throws,
 * quoting the mail, when there is none.
 */
export function linkIn(mail: ReceivedMail, path: string): { readonly url: URL; readonly token: string } {
  for (const candidate of mail.text.match(/https?:\/\/\S+/g) ?? []) {
    const url = new URL(candidate);
    const token = url.searchParams.get("token");
    if (url.pathname === path && token !== null) return { url, token };
  }
  throw new Error(`no ${path}?token=… link in the email "${mail.subject}":\n${mail.text}`);
}

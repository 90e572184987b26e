/**
 * One e-mail sent on its own connection (a subscription's confirmation, a console invitation), with a bounded wait and
 * the SMTP server's answer in words: never a secret, since each caller names what must not reach the reason.
 */
import nodemailer from "nodemailer";
import { classifySmtpError } from "./channels/email.ts";
import { redact } from "./channels/http-send.ts";

/** The SMTP settings a one-off e-mail needs (`subscribers.email`, `console.email`). */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  username?: string | undefined;
  password?: string | undefined;
}

export interface OneOffMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

const sendTimeoutMs = 10_000;

/**
 * Sends `mail` through `settings`' server. On failure, the reason with the SMTP password and every string of `secrets`
 * (an address, a link that would let its reader in) taken out.
 */
export async function sendOneOffMail(settings: SmtpSettings, mail: OneOffMail, secrets: readonly string[]): Promise<{ sent: true } | { sent: false; reason: string }> {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.username ? { auth: { user: settings.username, pass: settings.password ?? "" } } : {}),
    connectionTimeout: sendTimeoutMs,
    greetingTimeout: sendTimeoutMs,
    socketTimeout: sendTimeoutMs,
  });
  try {
    await transport.sendMail(mail);
    return { sent: true };
  } catch (error) {
    const classified = classifySmtpError(error);
    return { sent: false, reason: redact(classified.ok ? "SMTP error" : classified.error, [settings.password ?? "", ...secrets].filter((s) => s !== "")) };
  } finally {
    transport.close();
  }
}

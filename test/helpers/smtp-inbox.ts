// A real SMTP server on a free loopback port that keeps every message it receives (raw, and parsed on demand).
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpInbox {
  port: number;
  messages: ReceivedMail[];
  /** Messages to `address`, parsed, oldest first. */
  to(address: string): Promise<ParsedMail[]>;
  /** Counts without parsing (for large fan-outs). */
  count(): number;
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts the inbox; `keepRaw: false` only counts messages (benchmarks); `rejectRecipient` refuses the addresses it
 * returns a code for, quoting the address as real servers do ("550 5.1.1 <a@example.com>: Recipient address rejected").
 */
export async function startSmtpInbox(options: { keepRaw?: boolean; rejectRecipient?: (address: string) => number | undefined } = {}): Promise<SmtpInbox> {
  const keepRaw = options.keepRaw ?? true;
  const messages: ReceivedMail[] = [];
  let counted = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    maxClients: 200,
    onRcptTo(address, _session, callback) {
      const code = options.rejectRecipient?.(address.address);
      if (code === undefined) return callback();
      callback(Object.assign(new Error(`<${address.address}>: Recipient address rejected: User unknown in virtual mailbox table`), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => {
        if (keepRaw) chunks.push(chunk);
      });
      stream.on("end", () => {
        counted++;
        if (keepRaw) {
          messages.push({
            from: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString("utf8"),
          });
        }
        callback();
      });
    },
  });
  // A client killed in the middle of a session (the cluster tests SIGKILL a sending node) resets its connection, and
  // smtp-server reports that as an 'error' on the server: a mail server notes it and serves the next client, while
  // an event without a listener would end the test process.
  server.on("error", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    messages,
    async to(address) {
      return Promise.all(messages.filter((m) => m.to.includes(address)).map((m) => simpleParser(m.raw)));
    },
    count: () => counted,
    reset() {
      messages.length = 0;
      counted = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

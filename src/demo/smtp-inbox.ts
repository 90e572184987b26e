/**
 * The on-call team's mailbox, stood in for: a tiny SMTP receiver on node:net (HELO/EHLO, MAIL, RCPT, DATA, RSET,
 * NOOP, QUIT; no TLS, no AUTH), enough for nodemailer, which Vigil's email channel uses. It keeps each message's
 * recipients and subject and tells the demo.
 */
import { createServer, type Socket } from "node:net";
import { listen } from "./net.ts";

export interface ReceivedMail {
  at: Date;
  from: string;
  to: string[];
  subject: string;
}

export interface SmtpInbox {
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpInbox(onMail: (mail: ReceivedMail) => void): Promise<SmtpInbox> {
  const received: ReceivedMail[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    serve(socket, (mail) => {
      received.push(mail);
      onMail(mail);
    });
  });
  const port = await listen(server);
  return {
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One SMTP session. */
function serve(socket: Socket, deliver: (mail: ReceivedMail) => void): void {
  const reply = (text: string) => void socket.write(`${text}\r\n`);
  let buffer = "";
  let from = "";
  let to: string[] = [];
  let data: string[] | undefined;

  const command = (line: string) => {
    const verb = line.slice(0, 4).toUpperCase();
    const argument = line.slice(4).trim();
    switch (verb) {
      case "EHLO":
        return reply("250-demo-inbox\r\n250-8BITMIME\r\n250 SMTPUTF8");
      case "HELO":
        return reply("250 demo-inbox");
      case "MAIL":
        from = addressIn(argument);
        to = [];
        return reply("250 OK");
      case "RCPT":
        to.push(addressIn(argument));
        return reply("250 OK");
      case "DATA":
        if (to.length === 0) return reply("503 RCPT first");
        data = [];
        return reply("354 End data with <CR><LF>.<CR><LF>");
      case "RSET":
        from = "";
        to = [];
        return reply("250 OK");
      case "NOOP":
        return reply("250 OK");
      case "QUIT":
        reply("221 Bye");
        return void socket.end();
      default:
        return reply("502 Command not implemented");
    }
  };

  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (data === undefined) {
        command(line);
      } else if (line === ".") {
        deliver({ at: new Date(), from, to, subject: subjectOf(data) });
        data = undefined;
        reply("250 OK: queued");
      } else {
        data.push(line.startsWith("..") ? line.slice(1) : line);
      }
    }
  });
  reply("220 demo-inbox ESMTP (Vigil demo)");
}

/** The address in `FROM:<a@b.c> SIZE=…` or `TO:<a@b.c>`. */
function addressIn(argument: string): string {
  const open = argument.indexOf("<");
  const close = open === -1 ? -1 : argument.indexOf(">", open + 1);
  return close !== -1 ? argument.slice(open + 1, close) : argument.replace(/^(FROM|TO):/i, "").trim();
}

/** The message's Subject header, unfolded and with RFC 2047 encoded words decoded. */
export function subjectOf(lines: readonly string[]): string {
  const headers: string[] = [];
  for (const line of lines) {
    if (line === "") break;
    if (/^[ \t]/.test(line) && headers.length > 0) headers[headers.length - 1] += line;
    else headers.push(line);
  }
  const subject = headers.find((h) => /^subject:/i.test(h))?.slice("subject:".length).trim() ?? "";
  return subject
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(text.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), "latin1").toString("utf8"),
    );
}

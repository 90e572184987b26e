import { connect, type Socket } from "node:net";
import * as z from "zod";
import { host, port, strictMap, text } from "../config/fields.ts";
import { elapsedSince, type ProbeContext, type ProbeError, type ProbeOutcome, type Probe } from "./types.ts";

/** The most data read while waiting for `expect`: a banner or a short reply, not a download. */
const maxExpectBytes = 64 * 1024;

/** The keys of a `tcp` monitor: connect to `host:port`, optionally send a line and expect a reply. */
export const TcpConfig = strictMap({
  host,
  port,
  /** Written as soon as the connection opens, e.g. "PING\r\n". */
  send: z.string().min(1).optional(),
  /** Text the received data must contain (read until found, closed or timed out). */
  expect: text.optional(),
});
/** A validated `tcp` monitor configuration. */
export type TcpConfig = z.output<typeof TcpConfig>;

/** Certificate verification failures: OpenSSL's names, and Node's for a name mismatch. */
const verifyCode = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID)/;
/** Other TLS-layer failures (protocol versions, alerts, malformed records). */
const handshakeCode = /^(ERR_TLS_|ERR_SSL_|EPROTO$)/;

const dnsCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME"]);
const connectCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EHOSTUNREACH", "EHOSTDOWN", "ENETUNREACH", "ENETDOWN", "EPIPE", "EADDRNOTAVAIL"]);

/** The `code` of a Node.js or driver error, or "". */
export function errorCode(err: unknown): string {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : "";
}

/** The error kind a network-level error code means, the same for every probe; undefined when it is not one. */
export function networkErrorKind(code: string): "dns" | "connect" | "timeout" | "tls" | undefined {
  if (dnsCodes.has(code)) return "dns";
  if (code === "ETIMEDOUT") return "timeout";
  if (connectCodes.has(code)) return "connect";
  if (verifyCode.test(code) || handshakeCode.test(code)) return "tls";
  return undefined;
}

/** Classifies an error from connecting to `host:port` (DNS, refusal, TLS…); the message names only host and port. */
export function socketError(err: unknown, target: { host: string; port: number }): ProbeError {
  const code = errorCode(err);
  // OpenSSL errors carry a short `reason` ("wrong version number") besides their long message.
  const reason = typeof err === "object" && err !== null && "reason" in err && typeof err.reason === "string" ? err.reason : undefined;
  const detail = reason ?? (err instanceof Error ? err.message : String(err)).split("\n")[0];
  const where = `${target.host}:${target.port}`;
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
    case "EAI_NODATA":
    case "EAI_NONAME":
      return { kind: "dns", message: `could not resolve ${target.host} (${code})` };
    case "ECONNREFUSED":
      return { kind: "connect", message: `connection refused by ${where}` };
    case "ECONNRESET":
    case "EPIPE":
      return { kind: "connect", message: `connection reset by ${where}` };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return { kind: "connect", message: `${where} is unreachable (${code})` };
    case "ETIMEDOUT":
      return { kind: "timeout", message: `connection to ${where} timed out` };
  }
  if (verifyCode.test(code)) return { kind: "tls", message: `certificate rejected: ${detail}` };
  if (handshakeCode.test(code)) return { kind: "tls", message: `TLS handshake with ${where} failed: ${detail}` };
  return { kind: "connect", message: `could not connect to ${where}: ${code === "" ? detail : code}` };
}

/** `[::1]` as written in configuration is `::1` to the socket API. */
export function bareHost(name: string): string {
  return name.startsWith("[") && name.endsWith("]") ? name.slice(1, -1) : name;
}

/** Checks that a TCP port accepts connections, and optionally that it answers `send` with `expect`. */
export const tcpProbe: Probe<TcpConfig> = {
  type: "tcp",
  configSchema: TcpConfig,
  facts: ["latencyMs", "connected"],
  run: (config, ctx) => checkTcp(config, ctx),
};

function checkTcp(config: TcpConfig, ctx: ProbeContext): Promise<ProbeOutcome> {
  const started = performance.now();
  const target = { host: config.host, port: config.port };
  return new Promise((resolve) => {
    let connectMs: number | undefined;
    let received = "";
    let receivedBytes = 0;
    let settled = false;
    const socket: Socket = connect({ host: bareHost(config.host), port: config.port });

    const finish = (outcome: Omit<ProbeOutcome, "latencyMs" | "facts">) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener("abort", onAbort);
      socket.destroy();
      const latencyMs = connectMs ?? elapsedSince(started);
      resolve({ ...outcome, latencyMs, facts: { latencyMs, connected: connectMs !== undefined } });
    };
    const onAbort = () => {
      const within = `within ${ctx.timeoutMs} ms`;
      let message = `no connection ${within}`;
      if (connectMs !== undefined) message = config.expect === undefined ? `could not send ${within}` : `${JSON.stringify(config.expect)} not received ${within} (got ${receivedBytes} bytes)`;
      finish({ status: "down", error: { kind: "timeout", message } });
    };

    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener("abort", onAbort, { once: true });

    socket.once("connect", () => {
      connectMs = elapsedSince(started);
      if (config.expect !== undefined) {
        if (config.send !== undefined) socket.write(config.send);
      } else if (config.send !== undefined) {
        // Nothing to wait for but the data to leave: closing at once could drop it.
        socket.end(config.send, () => finish({ status: "up" }));
      } else finish({ status: "up" });
    });
    // Decoded by the socket so that a character split between two chunks stays whole.
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      if (config.expect === undefined) return;
      receivedBytes += Buffer.byteLength(chunk);
      received += chunk;
      if (received.includes(config.expect)) return finish({ status: "up" });
      if (receivedBytes >= maxExpectBytes) {
        finish({ status: "down", error: { kind: "assertion", message: `${JSON.stringify(config.expect)} not found in the first 64 KiB received` } });
      }
    });
    socket.once("end", () => {
      // The peer closed before sending what was expected (without `expect`, sending is all there is).
      if (config.expect === undefined) return;
      finish({ status: "down", error: { kind: "assertion", message: `connection closed after ${receivedBytes} bytes without ${JSON.stringify(config.expect)}` } });
    });
    socket.on("error", (err) => finish({ status: "down", error: socketError(err, target) }));
  });
}

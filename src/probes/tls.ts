import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { checkServerIdentity, connect, rootCertificates, type PeerCertificate, type TLSSocket } from "node:tls";
import type * as z from "zod";
import { host, port, scalar, strictMap } from "../config/fields.ts";
import { bareHost, socketError } from "./tcp.ts";
import { elapsedSince, type Fact, type ProbeContext, type ProbeOutcome, type Probe } from "./types.ts";

const dayMs = 86_400_000;

const days = scalar("expected a number of days such as 14", (value) =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined,
);

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** PEM text of one or more CA certificates, each of which must parse. */
const caCertificates = scalar("expected PEM certificates (-----BEGIN CERTIFICATE----- …)", (value) => {
  if (typeof value !== "string") return undefined;
  const blocks = value.match(pemBlock);
  if (blocks === null) return undefined;
  try {
    for (const block of blocks) new X509Certificate(block);
    return value;
  } catch {
    return undefined;
  }
});

/** The keys of a `tls` monitor: the certificate served at `host:port`, its trust and how long it has left. */
export const TlsConfig = strictMap({
  host,
  port: port.default(443),
  /** The name sent in SNI and matched against the certificate; the host by default. */
  servername: host.optional(),
  /** Fewer days left than this: degraded. */
  warn_days: days.default(14),
  /** Fewer days left than this: down. */
  critical_days: days.default(7),
  /** Extra certificate authorities to trust (PEM), for services behind a private CA. */
  ca: caCertificates.optional(),
}).superRefine((config, ctx) => {
  if (config.critical_days <= config.warn_days) return;
  const message = `must not be more than warn_days (${config.warn_days})`;
  ctx.addIssue({ code: "custom", path: ["critical_days"], input: config.critical_days, params: { message } });
});
/** A validated `tls` monitor configuration. */
export type TlsConfig = z.output<typeof TlsConfig>;

/** Days from `now` until `notAfter`, to 0.1 day (negative once expired). */
export function daysUntil(notAfter: Date, now: Date): number {
  return Math.round(((notAfter.getTime() - now.getTime()) / dayMs) * 10) / 10;
}

/** A certificate's issuer as people name it: its common name, else its organisation. */
function issuerName(cert: PeerCertificate): string {
  const issuer = cert.issuer as unknown as Record<string, string | string[] | undefined> | undefined;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return first(issuer?.CN) ?? first(issuer?.O) ?? "";
}

/** Inspects the certificate a TLS server presents: trust, hostname, days left against thresholds. */
export const tlsProbe: Probe<TlsConfig> = {
  type: "tls",
  configSchema: TlsConfig,
  facts: ["certDaysLeft", "chainValid", "hostnameMatches", "issuer", "notAfter", "protocol", "latencyMs"],
  run: (config, ctx) => checkTls(config, ctx),
};

const noCertificate: Record<string, Fact> = { certDaysLeft: null, chainValid: null, hostnameMatches: null, issuer: null, notAfter: null, protocol: null };

function checkTls(config: TlsConfig, ctx: ProbeContext): Promise<ProbeOutcome> {
  const started = performance.now();
  const target = { host: config.host, port: config.port };
  const servername = config.servername ?? bareHost(config.host);
  return new Promise((resolve) => {
    let tcpConnected = false;
    let settled = false;
    // Unverified on purpose: the chain and hostname are judged below, so that they can be reported.
    const socket: TLSSocket = connect({
      host: bareHost(config.host),
      port: config.port,
      // SNI carries names only (RFC 6066).
      servername: isIP(servername) === 0 ? servername : undefined,
      rejectUnauthorized: false,
      // Without this, a name mismatch would also clear `authorized`, which is to report the chain alone.
      checkServerIdentity: () => undefined,
      ca: config.ca === undefined ? undefined : [...rootCertificates, config.ca],
    });

    const finish = (outcome: Omit<ProbeOutcome, "latencyMs" | "facts">, facts: Record<string, Fact> = noCertificate) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener("abort", onAbort);
      socket.destroy();
      const latencyMs = elapsedSince(started);
      resolve({ ...outcome, latencyMs, facts: { ...facts, latencyMs } });
    };
    const onAbort = () => finish({ status: "down", error: { kind: "timeout", message: `no TLS handshake within ${ctx.timeoutMs} ms` } });
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener("abort", onAbort, { once: true });

    socket.once("connect", () => (tcpConnected = true));
    socket.on("error", (err) => {
      const error = socketError(err, target);
      if (!tcpConnected || error.kind === "tls") return finish({ status: "down", error });
      // Once TCP is up, any failure is the handshake's (a reset, a plain-text server…).
      finish({ status: "down", error: { kind: "tls", message: `TLS handshake with ${target.host}:${target.port} failed: ${error.message}` } });
    });
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate(false);
      if (Object.keys(cert).length === 0) return finish({ status: "down", error: { kind: "tls", message: "the server presented no certificate" } });
      finish(...judge(config, servername, socket, cert, ctx.clock.now()));
    });
  });
}

/** An outcome without its timing, and the facts to report with it. */
type Verdict = [Omit<ProbeOutcome, "latencyMs" | "facts">, Record<string, Fact>];

/** The outcome for a certificate received: expiry first, then trust and name, then the thresholds. */
function judge(config: TlsConfig, servername: string, socket: TLSSocket, cert: PeerCertificate, now: Date): Verdict {
  const notAfter = new Date(cert.valid_to);
  const notBefore = new Date(cert.valid_from);
  if (Number.isNaN(notAfter.getTime()) || Number.isNaN(notBefore.getTime())) {
    return [{ status: "down", error: { kind: "tls", message: "the certificate's validity dates cannot be read" } }, noCertificate];
  }
  const daysLeft = daysUntil(notAfter, now);
  const identityError = checkServerIdentity(servername, cert);
  const facts: Record<string, Fact> = {
    certDaysLeft: daysLeft,
    chainValid: socket.authorized,
    hostnameMatches: identityError === undefined,
    issuer: issuerName(cert),
    notAfter: notAfter.toISOString(),
    protocol: socket.getProtocol(),
  };
  const down = (message: string): Verdict => [{ status: "down", error: { kind: "tls", message } }, facts];
  const expiry = notAfter.toISOString();
  if (daysLeft <= 0) return down(`certificate expired on ${expiry}`);
  if (notBefore.getTime() > now.getTime()) return down(`certificate is not valid before ${notBefore.toISOString()}`);
  if (!socket.authorized) return down(`certificate chain is not trusted: ${verifyMessage(socket.authorizationError as Error | string | null)}`);
  if (identityError !== undefined) {
    const reason = (identityError as Error & { reason?: string }).reason ?? identityError.message;
    return down(`certificate does not match ${servername}: ${reason}`);
  }
  if (daysLeft < config.critical_days) return down(`certificate expires in ${daysLeft} days (${expiry}), less than critical_days ${config.critical_days}`);
  if (daysLeft < config.warn_days) return [{ status: "degraded", warning: `certificate expires in ${daysLeft} days (${expiry}), less than warn_days ${config.warn_days}` }, facts];
  return [{ status: "up" }, facts];
}

/** OpenSSL's wording for the verification codes Node reports in `authorizationError`. */
const verifyMessages: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in certificate chain",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "unable to verify the first certificate",
  UNABLE_TO_GET_ISSUER_CERT: "unable to get issuer certificate",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "unable to get local issuer certificate",
  CERT_HAS_EXPIRED: "certificate has expired",
  CERT_NOT_YET_VALID: "certificate is not yet valid",
  CERT_REVOKED: "certificate revoked",
  CERT_UNTRUSTED: "certificate not trusted",
  CERT_SIGNATURE_FAILURE: "certificate signature failure",
  INVALID_CA: "invalid CA certificate",
  INVALID_PURPOSE: "unsupported certificate purpose",
};

function verifyMessage(error: Error | string | null): string {
  // At runtime this is the code (a string), whatever the type declarations say.
  const code = error instanceof Error ? ((error as Error & { code?: string }).code ?? error.message) : (error ?? "unknown reason");
  return verifyMessages[code] ?? code.toLowerCase().replaceAll("_", " ");
}

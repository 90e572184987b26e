import { createServer as createNetServer, type AddressInfo, type Server } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { issuesFromZod } from "../config/issues.ts";
import { formatPath } from "../config/path.ts";
import { ManualClock, systemClock, type Clock } from "../core/clock.ts";
import { daysUntil, TlsConfig, tlsProbe } from "./tls.ts";
import type { ProbeContext } from "./types.ts";

const dayMs = 86_400_000;
const ctx = (timeoutMs = 5000, clock: Clock = systemClock): ProbeContext => ({ signal: AbortSignal.timeout(timeoutMs), clock, region: "local", timeoutMs });
const check = (input: Record<string, unknown>, options: { timeoutMs?: number; clock?: Clock } = {}) =>
  tlsProbe.run(TlsConfig.parse({ host: "127.0.0.1", ...input }), ctx(options.timeoutMs, options.clock));

/** The messages a user would read for `data`, as "path: message". */
function configErrors(schema: z.ZodType, data: Record<string, unknown>): string[] {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) throw new Error("expected the configuration to be rejected");
  return issuesFromZod(result.error, data, new Map(), formatPath).map((i) => `${formatPath(i.path)}: ${i.message}`);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** Serves `cert` on a fresh port; connections are left for the probe to close. */
async function serveCertificate(pems: { private: string; cert: string }): Promise<{ port: number; server: Server }> {
  const server = createTlsServer({ key: pems.private, cert: pems.cert }, (socket) => socket.on("error", () => undefined));
  server.on("tlsClientError", () => undefined);
  return { server, port: await listen(server) };
}

/** A certificate for localhost and 127.0.0.1, valid from yesterday for `days` from now, signed by `ca` or itself. */
function leaf(days: number, ca?: { private: string; cert: string }) {
  const now = Date.now();
  return generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate: new Date(now - dayMs),
    notAfterDate: new Date(now + days * dayMs),
    ca: ca === undefined ? undefined : { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] },
    ],
  });
}

describe("tls config", () => {
  it("defaults to port 443, 14 days to warn and 7 to fail", () => {
    expect(TlsConfig.parse({ host: "example.com" })).toEqual({ host: "example.com", port: 443, warn_days: 14, critical_days: 7 });
    expect(TlsConfig.parse({ host: "10.0.0.5", port: 8443, servername: "api.example.com", warn_days: 30, critical_days: 0 })).toMatchObject({ servername: "api.example.com", critical_days: 0 });
  });

  it.each([
    [{ host: "example.com", port: 99999 }, "port: expected a port number from 1 to 65535, got 99999"],
    [{ host: "example.com", warn_days: "soon" }, 'warn_days: expected a number of days such as 14, got "soon"'],
    [{ host: "example.com", critical_days: -1 }, "critical_days: expected a number of days such as 14, got -1"],
    [{ host: "example.com", warn_days: 5, critical_days: 10 }, "critical_days: must not be more than warn_days (5)"],
    [{ host: "example.com", ca: "not a certificate" }, 'ca: expected PEM certificates (-----BEGIN CERTIFICATE----- …), got "not a certificate"'],
    [{ port: 443 }, "host: is required"],
    [{ host: "example.com", warn_day: 3 }, 'warn_day: unknown key "warn_day" (did you mean "warn_days"?)'],
  ])("rejects %j", (input, message) => {
    expect(configErrors(TlsConfig, input)).toEqual([message]);
  });
});

describe("daysUntil", () => {
  it("counts days to a tenth, negative once past", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(daysUntil(new Date("2026-01-31T12:00:00Z"), now)).toBe(30.5);
    expect(daysUntil(new Date("2025-12-31T00:00:00Z"), now)).toBe(-1);
  });
});

describe("tls probe", () => {
  let ca: { private: string; cert: string };
  let trusted: Awaited<ReturnType<typeof serveCertificate>>;
  let selfSigned: Awaited<ReturnType<typeof serveCertificate>>;
  let expired: Awaited<ReturnType<typeof serveCertificate>>;

  beforeAll(async () => {
    ca = await generate([{ name: "commonName", value: "Vigil Test CA" }], {
      keyType: "ec",
      algorithm: "sha256",
      notAfterDate: new Date(Date.now() + 365 * dayMs),
      extensions: [
        { name: "basicConstraints", cA: true, critical: true },
        { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    trusted = await serveCertificate(await leaf(90, ca));
    selfSigned = await serveCertificate(await leaf(90));
    const now = Date.now();
    expired = await serveCertificate(
      await generate([{ name: "commonName", value: "localhost" }], { keyType: "ec", algorithm: "sha256", notBeforeDate: new Date(now - 30 * dayMs), notAfterDate: new Date(now - 2 * dayMs), ca: { key: ca.private, cert: ca.cert } }),
    );
  });
  afterAll(async () => {
    for (const { server } of [trusted, selfSigned, expired]) await close(server);
  });

  it("is up for a trusted certificate with time left, with its facts", async () => {
    const outcome = await check({ port: trusted.port, ca: ca.cert });
    expect(outcome).toMatchObject({ status: "up", facts: { chainValid: true, hostnameMatches: true, issuer: "Vigil Test CA", protocol: "TLSv1.3" } });
    expect(outcome.error).toBeUndefined();
    expect(outcome.facts.certDaysLeft).toBeCloseTo(90, 0);
    expect(Date.parse(String(outcome.facts.notAfter))).toBeCloseTo(Date.now() + 90 * dayMs, -5);
    expect(outcome.facts.latencyMs).toBe(outcome.latencyMs);
    expect((await check({ port: trusted.port, ca: ca.cert, servername: "localhost" })).status).toBe("up");
  });

  it("is degraded under warn_days and down under critical_days", async () => {
    const in80Days = new ManualClock(Date.now() + 80 * dayMs);
    const warned = await check({ port: trusted.port, ca: ca.cert }, { clock: in80Days });
    expect(warned.status).toBe("degraded");
    expect(warned.facts.certDaysLeft).toBeCloseTo(10, 0);
    expect(warned.warning).toMatch(/^certificate expires in (9\.9|10|10\.1) days \(\S+\), less than warn_days 14$/);

    const in87Days = new ManualClock(Date.now() + 87 * dayMs);
    const critical = await check({ port: trusted.port, ca: ca.cert }, { clock: in87Days });
    expect(critical).toMatchObject({ status: "down", error: { kind: "tls" } });
    expect(critical.error?.message).toMatch(/^certificate expires in (2\.9|3|3\.1) days \(\S+\), less than critical_days 7$/);

    expect((await check({ port: trusted.port, ca: ca.cert, warn_days: 100, critical_days: 95 })).status).toBe("down");
    expect((await check({ port: trusted.port, ca: ca.cert, warn_days: 100 })).status).toBe("degraded");
  });

  it("is down for an expired certificate", async () => {
    const outcome = await check({ port: expired.port, ca: ca.cert });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "tls" } });
    expect(outcome.error?.message).toMatch(/^certificate expired on \d{4}-\d\d-\d\dT/);
    expect(outcome.facts.certDaysLeft).toBeCloseTo(-2, 0);
  });

  it("is down for a chain it does not trust, still reporting the certificate", async () => {
    const outcome = await check({ port: selfSigned.port });
    expect(outcome).toMatchObject({
      status: "down",
      error: { kind: "tls", message: "certificate chain is not trusted: self-signed certificate" },
      facts: { chainValid: false, hostnameMatches: true, issuer: "localhost" },
    });
    expect(outcome.facts.certDaysLeft).toBeCloseTo(90, 0);
    // Trusted once its own certificate is given as a CA.
    expect((await check({ port: trusted.port })).error?.message).toBe("certificate chain is not trusted: unable to verify the first certificate");
  });

  it("is down when the certificate is not for the name asked", async () => {
    const outcome = await check({ port: trusted.port, ca: ca.cert, servername: "api.example.com" });
    expect(outcome).toMatchObject({ status: "down", facts: { chainValid: true, hostnameMatches: false }, error: { kind: "tls" } });
    expect(outcome.error?.message).toBe("certificate does not match api.example.com: Host: api.example.com. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1");
  });

  it("is down with a connect error when nothing listens", async () => {
    const gone = createNetServer();
    const port = await listen(gone);
    await close(gone);
    const outcome = await check({ port });
    expect(outcome).toMatchObject({ status: "down", error: { kind: "connect", message: `connection refused by 127.0.0.1:${port}` }, facts: { certDaysLeft: null } });
  });

  it("reports a server that does not speak TLS as a tls error, and one that never answers as a timeout", async () => {
    // Each reads what it is sent (resume), so that it sees the probe hang up and can close.
    const plain = createNetServer((socket) => socket.resume().end("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const silent = createNetServer((socket) => socket.resume());
    try {
      const notTls = await check({ port: await listen(plain) });
      expect(notTls).toMatchObject({ status: "down", error: { kind: "tls" } });
      expect(notTls.error?.message).toMatch(/^TLS handshake with 127\.0\.0\.1:\d+ failed: wrong version number$/);
      const hung = await check({ port: await listen(silent) }, { timeoutMs: 300 });
      expect(hung).toMatchObject({ status: "down", error: { kind: "timeout", message: "no TLS handshake within 300 ms" } });
    } finally {
      await Promise.all([close(plain), close(silent)]);
    }
  });
});

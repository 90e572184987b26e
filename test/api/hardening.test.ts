// The HTTP side's public surface, on a running Vigil: security headers on every answer, /metrics behind a token,
// /readyz telling the public nothing of the store, the header and body caps, and slow clients cut off.
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";
import { startClockedVigil, type ClockedVigil } from "../helpers/hardening.ts";

const scrapeToken = "scrape-0123456789abcdef";
const config = `
site: { name: Acme Status, url: "https://status.example.com" }
components:
  - { id: api, name: Production API }
server:
  body_limit: 2kb
  headers_timeout: 1s
  request_timeout: 2s
  hsts: { max_age: 365d }
  metrics: { token: "${scrapeToken}" }
subscribers:
  email: { host: 127.0.0.1, port: 9, from: "Acme Status <status@example.com>" }
`;

/** Writes `head` (and `body`) on a raw connection; resolves with everything read until the server closes it, and when. */
function raw(port: number, write: (socket: Socket) => void): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, "127.0.0.1", () => write(socket));
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error)));
    socket.on("close", () => resolve({ text: Buffer.concat(chunks).toString("utf8"), closedAfterMs: performance.now() - started }));
  });
}

describe("the public surface's headers, endpoints and limits", () => {
  let test: ClockedVigil;
  const url = (path: string) => `${test.vigil.url}${path}`;

  beforeAll(async () => {
    test = await startClockedVigil(config);
    await test.vigil.statusPage.refresh();
  }, 60_000);
  afterAll(async () => {
    await test?.dispose();
  });

  it("sends a strict Content-Security-Policy, no framing, no referrer, nosniff and HSTS with the status page", async () => {
    for (const path of ["/", "/history"]) {
      const res = await fetch(url(path));
      expect(res.status).toBe(200);
      const policy = res.headers.get("content-security-policy") ?? "";
      expect(policy).toMatch(/^default-src 'none'; script-src 'self'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/);
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000");
    }
  });

  it("lets other sites frame /embed only", async () => {
    const res = await fetch(url("/embed"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; img-src https: data:; form-action 'none'; base-uri 'none'$/);
    expect(res.headers.get("x-frame-options")).toBeNull();
    expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000");
  });

  it("sends the headers with the API, the subscription pages, the feeds and the errors too", async () => {
    for (const [path, status] of [["/api/v1/components", 401], ["/api/v2/status.json", 200], ["/history.rss", 200], ["/healthz", 200], ["/nowhere", 404]] as const) {
      const res = await fetch(url(path));
      expect(res.status, path).toBe(status);
      expect(res.headers.get("content-security-policy"), path).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(res.headers.get("strict-transport-security"), path).toBe("max-age=31536000");
    }
    const subscribe = await fetch(url("/subscribe"));
    expect(subscribe.status).toBe(200);
    expect(subscribe.headers.get("content-security-policy")).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; img-src https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'$/);
    expect(subscribe.headers.get("x-frame-options")).toBe("DENY");
    expect(subscribe.headers.get("strict-transport-security")).toBe("max-age=31536000");
  });

  it("refuses /metrics without a token, and serves it to the scrape token and to an API token of scope read", async () => {
    const anonymous = await fetch(url("/metrics"));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe('Bearer realm="vigil"');
    expect((await anonymous.json()).error).toMatchObject({ code: "unauthorized", message: expect.stringContaining("server.metrics.token") });
    expect((await fetch(url("/metrics"), { headers: { authorization: "Bearer not-the-token-at-all" } })).status).toBe(401);
    for (const token of [scrapeToken, test.readToken]) {
      const res = await fetch(url("/metrics"), { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('vigil_build_info{version="0.0.0-test"} 1');
    }
  });

  it("answers a request whose headers are over 16 KB with 431 and an error body", async () => {
    const { text } = await raw(test.vigil.port, (s) => s.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(17 * 1024)}\r\n\r\n`));
    expect(text).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    const body = JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4));
    expect(body).toEqual({ error: { code: "headers_too_large", message: "the request line and headers are larger than 16 KB", details: [] } });
  });

  it("answers a body over server.body_limit with 413 and an error body, on the API and on the subscribe form", async () => {
    const big = "x".repeat(3 * 1024);
    const api = await fetch(url("/api/v1/subscriptions"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: big }) });
    expect(api.status).toBe(413);
    expect((await api.json()).error).toMatchObject({ code: "payload_too_large", message: "the request body is larger than the server's body limit" });
    const form = await fetch(url("/subscribe"), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `email=${big}` });
    expect(form.status).toBe(413);
    expect((await form.json()).error).toMatchObject({ code: "payload_too_large" });
  });

  it("cuts off a client that sends its headers one byte at a time after server.headers_timeout, with 408", async () => {
    let timer: NodeJS.Timeout | undefined;
    const { text, closedAfterMs } = await raw(test.vigil.port, (s) => {
      const head = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${"a".repeat(100)}`;
      let i = 0;
      timer = setInterval(() => (i < head.length && !s.destroyed ? s.write(head[i++]!) : undefined), 100);
    });
    clearInterval(timer);
    expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4)).error.code).toBe("timeout");
    // 1 s, checked every second.
    expect(closedAfterMs).toBeGreaterThan(900);
    expect(closedAfterMs).toBeLessThan(3_500);
  });

  it("cuts off a client that sends its body one byte at a time after server.request_timeout, with 408", async () => {
    let timer: NodeJS.Timeout | undefined;
    const { text, closedAfterMs } = await raw(test.vigil.port, (s) => {
      s.write(`POST /api/v1/subscriptions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`);
      timer = setInterval(() => (s.destroyed ? undefined : s.write(" ")), 100);
    });
    clearInterval(timer);
    expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(closedAfterMs).toBeGreaterThan(1_900);
    expect(closedAfterMs).toBeLessThan(4_500);
  });

  it("closes the connection of a client that never reads its answers once it has been quiet for server.request_timeout", async () => {
    // Pipelined requests whose answers fill the socket's buffers; the client never reads them.
    const many = "GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n".repeat(200);
    const server = test.vigil.server.server;
    let client: Socket | undefined;
    const closedAfterMs = await new Promise<number>((resolve) => {
      const started = performance.now();
      const onConnection = (socket: Socket) => {
        if (socket.remotePort !== client?.localPort) return;
        server.off("connection", onConnection);
        socket.on("close", () => resolve(performance.now() - started));
      };
      server.on("connection", onConnection);
      client = connect(test.vigil.port, "127.0.0.1", () => {
        client!.pause();
        client!.write(many);
      });
      client.on("error", () => undefined);
    });
    client?.destroy();
    expect(closedAfterMs).toBeGreaterThan(1_900);
    expect(closedAfterMs).toBeLessThan(10_000);
  });

  it("closes a connection that goes quiet after its answer once the keep-alive time is over", async () => {
    const { text, closedAfterMs } = await raw(test.vigil.port, (s) => s.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(closedAfterMs).toBeGreaterThan(4_500);
    expect(closedAfterMs).toBeLessThan(7_500);
  });

  it("answers /readyz with each check's name and result", async () => {
    const res = await fetch(url("/readyz"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", checks: [{ name: "store", ok: true }, { name: "migrations", ok: true }] });
  });
});

const postgres = storeBackends().find((b) => b.name === "postgres")!;

describe.skipIf(!postgres.available)("/readyz with the PostgreSQL server gone", () => {
  let target: StoreTarget;
  let proxy: TcpProxy;
  let test: ClockedVigil;
  let proxied: URL;

  beforeAll(async () => {
    target = await freshTarget("postgres");
    const direct = new URL(target.url!);
    proxy = await startTcpProxy(Number(direct.port));
    proxied = new URL(target.url!);
    proxied.port = String(proxy.port);
    test = await startClockedVigil(`site: { name: Acme Status }\ncomponents: [{ id: api, name: API }]\nserver: { metrics: { token: "${scrapeToken}" } }\n`, { databaseUrl: proxied.toString() });
    await proxy.close();
  }, 60_000);
  afterAll(async () => {
    await test?.dispose();
    await target?.dispose();
  }, 60_000);

  it("answers 503 naming the failing check, without the store's user, host or address; the message goes to the log and to the scrape token", async () => {
    const res = await fetch(`${test.vigil.url}/readyz`);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ status: "not_ready", checks: [{ name: "store", ok: false }] });
    for (const secret of [proxied.hostname, proxied.port, proxied.username, proxied.pathname.slice(1)]) expect(text).not.toContain(secret);
    const operator = await fetch(`${test.vigil.url}/readyz`, { headers: { authorization: `Bearer ${scrapeToken}` } });
    expect(operator.status).toBe(503);
    const detailed = (await operator.json()) as { checks: { name: string; ok: boolean; message?: string }[] };
    expect(detailed.checks[0]).toMatchObject({ name: "store", ok: false, message: expect.stringMatching(/./) });
    // Logged once while the failure stays the same.
    expect(test.log.join("").split(`"not ready: store: ${detailed.checks[0]!.message}`).length - 1).toBe(1);
  });
});

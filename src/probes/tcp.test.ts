import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as z from "zod";
import { issuesFromZod } from "../config/issues.ts";
import { formatPath } from "../config/path.ts";
import { systemClock } from "../core/clock.ts";
import { TcpConfig, tcpProbe } from "./tcp.ts";
import type { ProbeContext } from "./types.ts";

const ctx = (timeoutMs = 5000): ProbeContext => ({ signal: AbortSignal.timeout(timeoutMs), clock: systemClock, region: "local", timeoutMs });
const check = (input: Record<string, unknown>, timeoutMs?: number) => tcpProbe.run(TcpConfig.parse(input), ctx(timeoutMs));

/** The messages a user would read for `data`, as "path: message". */
function configErrors(schema: z.ZodType, data: Record<string, unknown>): string[] {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) throw new Error("expected the configuration to be rejected");
  return issuesFromZod(result.error, data, new Map(), formatPath).map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** A TCP server on 127.0.0.1 whose connections are all destroyed on close. */
async function serve(onConnection: (socket: Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined); // the probe hangs up abruptly
    socket.on("close", () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe("tcp config", () => {
  it("needs a host and a port; send and expect are optional", () => {
    expect(TcpConfig.parse({ host: "db.internal", port: 5432 })).toEqual({ host: "db.internal", port: 5432 });
    expect(TcpConfig.parse({ host: "127.0.0.1", port: 6379, send: "PING\r\n", expect: "+PONG" })).toMatchObject({ send: "PING\r\n", expect: "+PONG" });
  });

  it.each([
    [{ host: "db.internal", port: 99999 }, "port: expected a port number from 1 to 65535, got 99999"],
    [{ host: "db.internal", port: "5432" }, 'port: expected a port number from 1 to 65535, got "5432"'],
    [{ host: "http://db.internal", port: 5432 }, 'host: expected a host name or IP address such as db.example.com, got "http://db.internal"'],
    [{ host: "db.internal" }, "port: is required"],
    [{ host: "db.internal", port: 5432, expct: "OK" }, 'expct: unknown key "expct" (did you mean "expect"?)'],
  ])("rejects %j", (input, message) => {
    expect(configErrors(TcpConfig, input)).toEqual([message]);
  });
});

describe("tcp probe", () => {
  let banner: Awaited<ReturnType<typeof serve>>;
  let echo: Awaited<ReturnType<typeof serve>>;
  let silent: Awaited<ReturnType<typeof serve>>;
  let hangUp: Awaited<ReturnType<typeof serve>>;
  let flood: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    banner = await serve((socket) => socket.write("+OK vigil test server ready\r\n"));
    echo = await serve((socket) => socket.pipe(socket));
    silent = await serve(() => undefined);
    hangUp = await serve((socket) => socket.end("BYE\r\n"));
    flood = await serve((socket) => socket.write("x".repeat(70 * 1024)));
  });
  afterAll(async () => {
    for (const server of [banner, echo, silent, hangUp, flood]) await server.close();
  });

  it("is up when the port accepts a connection", async () => {
    const outcome = await check({ host: "127.0.0.1", port: silent.port });
    expect(outcome).toMatchObject({ status: "up", facts: { connected: true } });
    expect(outcome.facts.latencyMs).toBe(outcome.latencyMs);
    expect(outcome.latencyMs).toBeGreaterThan(0);
  });

  it("waits for the expected banner", async () => {
    expect((await check({ host: "127.0.0.1", port: banner.port, expect: "+OK" })).status).toBe("up");
  });

  it("sends a line and expects its reply", async () => {
    expect((await check({ host: "127.0.0.1", port: echo.port, send: "PING ünïcode\r\n", expect: "PING ünïcode" })).status).toBe("up");
  });

  it("sends without expecting a reply, the data reaching the server", async () => {
    let received: (text: string) => void = () => undefined;
    const got = new Promise<string>((resolve) => (received = resolve));
    const recorder = await serve((socket) => {
      let text = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      socket.on("end", () => received(text));
    });
    try {
      expect((await check({ host: "127.0.0.1", port: recorder.port, send: "QUIT\r\n" })).status).toBe("up");
      expect(await got).toBe("QUIT\r\n");
    } finally {
      await recorder.close();
    }
  });

  it("is down when the server hangs up without the expected text", async () => {
    const outcome = await check({ host: "127.0.0.1", port: hangUp.port, expect: "+OK" });
    expect(outcome).toMatchObject({ status: "down", facts: { connected: true }, error: { kind: "assertion", message: 'connection closed after 5 bytes without "+OK"' } });
  });

  it("stops reading after 64 KiB without the expected text", async () => {
    const outcome = await check({ host: "127.0.0.1", port: flood.port, expect: "+OK" });
    expect(outcome.error).toEqual({ kind: "assertion", message: '"+OK" not found in the first 64 KiB received' });
  });

  it("times out when the expected text never comes", async () => {
    const outcome = await check({ host: "127.0.0.1", port: silent.port, send: "HELLO\r\n", expect: "+OK" }, 300);
    expect(outcome).toMatchObject({ status: "down", facts: { connected: true }, error: { kind: "timeout", message: '"+OK" not received within 300 ms (got 0 bytes)' } });
  });

  it("is down with a connect error when the port is closed", async () => {
    const closed = await serve(() => undefined);
    await closed.close();
    const outcome = await check({ host: "127.0.0.1", port: closed.port });
    expect(outcome).toMatchObject({ status: "down", facts: { connected: false }, error: { kind: "connect", message: `connection refused by 127.0.0.1:${closed.port}` } });
  });

  it("reports a host that does not resolve as a dns error", async () => {
    const outcome = await check({ host: "vigil-probe-test.invalid", port: 80 });
    expect(outcome).toMatchObject({ status: "down", facts: { connected: false }, error: { kind: "dns" } });
  });
});

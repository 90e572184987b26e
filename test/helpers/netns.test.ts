// The network-namespace harness with real traffic: sites reach a target each from its own address, a cut
// or an isolated site loses exactly its paths (and how it fails), processes run inside sites, and teardown
// (dispose, the exit of the owning process, or the leftovers of a crashed one) leaves nothing behind.
// Skipped where namespaces cannot be made (not root, no iproute2); required with VIGIL_REQUIRE_SERVERS=1.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTool } from "./tools.ts";
import { createTopology, namespaceNames, netnsAvailable, netnsSkipReason, pickSubnet, removeLeftovers, rootLinkNames, type NetnsTarget, type Topology } from "./netns.ts";

const skip = netnsSkipReason();

describe("pickSubnet", () => {
  it("takes a random 10.200-250.x.0/24 that no address or route of the host overlaps", () => {
    const draws = [0, 7, 0, 7, 50, 255];
    const random = (n: number) => Math.min(draws.shift()!, n - 1);
    // 10.200.7.0/24 is under a host route (10.200.0.0/16), the second draw too; 10.250.255.0/24 is free.
    expect(pickSubnet(["127.0.0.1/8", "10.200.0.0/16", "10.200.7.9", "192.0.2.2/24"], random)).toBe("10.250.255");
    expect(pickSubnet(["10.250.255.1"], () => 0)).toBe("10.200.0");
    expect(() => pickSubnet(["10.0.0.0/8"], () => 0)).toThrow("no free /24 in 10.200.0.0-10.250.255.0");
    expect(() => pickSubnet(["10.200.0.77"], () => 0)).toThrow(/no free \/24/);
  });
});
const helper = fileURLToPath(new URL("./netns.ts", import.meta.url));
const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

/** The lines a child prints, as they come. */
function linesOf(child: ChildProcess): string[] {
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => lines.push(line));
  return lines;
}

/** Whether `pid` is a live process (a zombie is dead: it only waits to be reaped). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Every name of `id` still in `ip netns list` or the root namespace's `ip -o link`. */
function namesOf(id: string): string[] {
  return [...namespaceNames(), ...rootLinkNames()].filter((name) => name.startsWith(id));
}

// What children print may take a while on a loaded machine (a tsx start-up is ~0.5 s alone).
const output = { timeout: 15_000 };

const echoServer = `
require("node:net").createServer((s) => { s.on("error", () => {}); s.pipe(s); })
  .listen(7000, process.argv[1], () => console.log("ready"));
`;

// TypeScript on purpose: node() runs it through the project's tsx.
const echoClient = `
import { connect } from "node:net";
const [host, port] = process.argv.slice(2) as [string, string];
const socket = connect({ host, port: Number(port) }, () => console.log("connected"));
socket.setEncoding("utf8");
socket.on("data", (data: string) => console.log(\`echo \${data.trim()}\`));
socket.on("error", (err: NodeJS.ErrnoException) => console.log(\`error \${err.code}\`));
process.stdin.setEncoding("utf8").on("data", (line: string) => socket.write(line));
`;

describe.skipIf(skip !== undefined)(`network namespaces${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let net: Topology;
  let target: NetnsTarget;
  let host: Server;
  let hostUrl: string;
  let dir: string;
  let hostForwarding: string;

  beforeAll(async () => {
    hostForwarding = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8");
    dir = mkdtempSync(path.join(tmpdir(), "vigil-netns-"));
    writeFileSync(path.join(dir, "echo-client.ts"), echoClient);
    net = await createTopology({ sites: ["agent-a", "agent-b", { name: "target", addresses: 2 }] });
    target = await net.startTarget("target");
    const echo = net.spawn("target", process.execPath, ["-e", echoServer, net.address("target")]);
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: echo.stdout! }).on("line", (line) => line === "ready" && resolve());
      echo.once("exit", () => reject(new Error("the echo server exited")));
    });
    // A server of the test itself, in the root namespace, on its address on the bridge.
    host = createServer((_req, res) => res.end("host"));
    await new Promise<void>((resolve) => host.listen(0, net.hostAddress, resolve));
    hostUrl = `http://${net.hostAddress}:${(host.address() as { port: number }).port}/`;
  });

  afterAll(async () => {
    host?.closeAllConnections();
    host?.close();
    await net?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A TCP connection from `site` to the echo server, open and answering. */
  async function openConnection(site: string) {
    const client = net.node(site, path.join(dir, "echo-client.ts"), [net.address("target"), "7000"]);
    const lines = linesOf(client);
    await expect.poll(() => lines, output).toContain("connected");
    client.stdin!.write("hello\n");
    await expect.poll(() => lines, output).toContain("echo hello");
    return { client, lines };
  }

  it("says namespaces can be made here", () => {
    expect(netnsAvailable()).toEqual({ ok: true });
  });

  it("refuses a topology it cannot name or number, saying which site, before making anything", async () => {
    const ours = () => namespaceNames().filter((n) => n.startsWith(`vgt-${process.pid.toString(36)}-`));
    const before = ours();
    await expect(createTopology({ sites: ["hub"] })).rejects.toThrow('site name "hub": use a-z, 0-9 and -, starting with a letter; "hub" and "host" are taken');
    await expect(createTopology({ sites: ["Agent_A"] })).rejects.toThrow(/site name "Agent_A"/);
    await expect(createTopology({ sites: ["a", "a"] })).rejects.toThrow("site names must differ");
    await expect(createTopology({ sites: [{ name: "target", addresses: 0 }] })).rejects.toThrow("site target: addresses must be a positive integer, not 0");
    await expect(createTopology({ sites: [{ name: "target", addresses: 253 }] })).rejects.toThrow("254 addresses do not fit in a /24");
    expect(ours()).toEqual(before);
  });

  it("gives each site its own namespace and addresses in one private /24, which the host reaches through its own link", async () => {
    expect(net.subnet).toMatch(/^10\.(2[0-4]\d|250)\.\d{1,3}\.0\/24$/);
    expect(net.id).toMatch(new RegExp(`^vgt-${process.pid.toString(36)}-[0-9a-z]{3}$`));
    // Layer 2 only: nothing forwards, in the hub or on the host, and the host's setting is as it was.
    expect(spawnSync("ip", ["netns", "exec", `${net.id}-hub`, "cat", "/proc/sys/net/ipv4/ip_forward"], { encoding: "utf8" }).stdout).toBe("0\n");
    expect(readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8")).toBe(hostForwarding);
    const base = net.subnet.replace(/\.0\/24$/, ".");
    const all = [net.hostAddress, ...net.sites.flatMap((s) => net.addresses(s))];
    expect(new Set(all).size).toBe(5);
    for (const address of all) expect(address.startsWith(base)).toBe(true);
    expect(net.addresses("target")).toHaveLength(2);
    expect(namespaceNames()).toEqual(expect.arrayContaining(net.sites.map((s) => net.namespace(s))));
    // Only the host's end of its link has a name in the root namespace, and it is ours; no other link of the host has an address in the /24.
    expect(rootLinkNames().filter((l) => l.startsWith(net.id))).toEqual([net.id]);
    const onHost = spawnSync("ip", ["-o", "-4", "addr"], { encoding: "utf8" }).stdout.split("\n").filter((l) => l.includes(` inet ${base}`));
    expect(onHost.map((l) => l.split(/\s+/)[1])).toEqual([net.id]);
    // Sites have no default route: their traffic cannot leave the topology.
    for (const site of net.sites) {
      const routes = spawnSync("ip", ["-n", net.namespace(site), "route", "show", "table", "all"], { encoding: "utf8" }).stdout;
      expect(routes).toContain(net.subnet);
      expect(routes).not.toMatch(/^default/m);
    }
    const seen = target.requests.length;
    for (const url of target.urls) expect((await fetch(url)).status).toBe(200);
    await expect.poll(() => target.requests.slice(seen).map((r) => [r.from, r.to])).toEqual(target.urls.map((_, i) => [net.hostAddress, net.addresses("target")[i]]));
  });

  it("lets two sites reach the target, each from its own address, and the target be flipped to 500 and to hanging", async () => {
    const seen = target.requests.length;
    expect(await net.request("agent-a", target.url)).toMatchObject({ status: 200 });
    expect(await net.request("agent-b", target.urls[1]!)).toMatchObject({ status: 200 });
    await expect.poll(() => target.requests.slice(seen).map((r) => r.from)).toEqual([net.address("agent-a"), net.address("agent-b")]);
    await target.set("error");
    expect(await net.request("agent-a", target.url)).toMatchObject({ status: 500 });
    await target.set("hang");
    const hung = await net.request("agent-a", target.url, { timeoutMs: 300 });
    expect(hung.error).toBe("timeout");
    expect(hung.ms).toBeGreaterThanOrEqual(290);
    await target.set("up");
    expect(await net.request("agent-a", target.url)).toMatchObject({ status: 200 });
  });

  it("cut(agent-a, target): agent-a's requests fail at once with EHOSTUNREACH, to every address, while agent-b's still work; restore brings them back", async () => {
    await net.cut("agent-a", "target");
    try {
      for (const url of target.urls) {
        const failed = await net.request("agent-a", url);
        expect(failed.error).toBe("EHOSTUNREACH");
        expect(failed.ms).toBeLessThan(1000);
      }
      expect(await net.request("agent-b", target.url)).toMatchObject({ status: 200 });
      expect(await net.request("agent-a", hostUrl)).toMatchObject({ status: 200 });
    } finally {
      await net.restore("agent-a", "target");
    }
    for (const url of target.urls) expect(await net.request("agent-a", url)).toMatchObject({ status: 200 });
  });

  it("a cut one way leaves the other way hanging (no answer can come back); with both it fails at once both ways", async () => {
    const back = await net.startTarget("agent-a", { port: 8081 });
    try {
      await net.cut("agent-a", "target");
      expect((await net.request("target", back.url, { timeoutMs: 500 })).error).toBe("timeout");
      await net.restore("agent-a", "target");
      await net.cut("agent-a", "target", { both: true });
      expect((await net.request("target", back.url)).error).toBe("EHOSTUNREACH");
      expect((await net.request("agent-a", target.url)).error).toBe("EHOSTUNREACH");
      await net.restore("agent-a", "target", { both: true });
      expect(await net.request("target", back.url)).toMatchObject({ status: 200 });
      expect(await net.request("agent-a", target.url)).toMatchObject({ status: 200 });
    } finally {
      await net.restore("agent-a", "target", { both: true });
      await back.stop();
    }
  });

  it("cuts a site from the host (a server the test runs itself) and never touches the host's own routes", async () => {
    await net.cut("agent-b", "host");
    try {
      expect((await net.request("agent-b", hostUrl)).error).toBe("EHOSTUNREACH");
      expect(await net.request("agent-a", hostUrl)).toMatchObject({ status: 200 });
      expect(await net.request("agent-b", target.url)).toMatchObject({ status: 200 });
    } finally {
      await net.restore("agent-b", "host");
    }
    expect(await net.request("agent-b", hostUrl)).toMatchObject({ status: 200 });
    await expect(net.cut("host", "agent-b")).rejects.toThrow(/host's own routes are never changed/);
    // Refused before anything changed: agent-b still reaches the host.
    await expect(net.cut("agent-b", "host", { both: true })).rejects.toThrow(/host's own routes are never changed/);
    expect(await net.request("agent-b", hostUrl)).toMatchObject({ status: 200 });
    await expect(net.cut("agent-b", "nowhere")).rejects.toThrow(/no site "nowhere" in this topology \(sites: agent-a, agent-b, target\)/);
  });

  it("a cut aborts the cutting side's open connections to the other (ECONNABORTED), unless abortOpen is false", async () => {
    const aborted = await openConnection("agent-a");
    const kept = await openConnection("agent-b");
    await net.cut("agent-a", "target");
    await net.cut("agent-b", "target", { abortOpen: false });
    try {
      await expect.poll(() => aborted.lines, output).toContain("error ECONNABORTED");
      expect((await net.request("agent-b", target.url)).error).toBe("EHOSTUNREACH");
    } finally {
      await net.restore("agent-a", "target");
      await net.restore("agent-b", "target");
    }
    // agent-b's connection stalled through the cut and carries on after it.
    kept.client.stdin!.write("again\n");
    await expect.poll(() => kept.lines, output).toContain("echo again");
    expect(kept.lines).not.toContain("error ECONNABORTED");
  });

  it("isolate cuts a site from everything (ENETUNREACH at once, its open connections aborted); the others keep their paths; rejoin brings it back", async () => {
    const open = await openConnection("agent-a");
    await net.isolate("agent-a");
    try {
      for (const url of [target.url, target.urls[1]!, hostUrl]) {
        const failed = await net.request("agent-a", url);
        expect(failed.error).toBe("ENETUNREACH");
        expect(failed.ms).toBeLessThan(1000);
      }
      await expect.poll(() => open.lines, output).toContain("error ECONNABORTED");
      expect(await net.request("agent-b", target.url)).toMatchObject({ status: 200 });
      // From elsewhere, the isolated site does not answer (ARP gives up after about 3 s).
      const back = await net.request("agent-b", `http://${net.address("agent-a")}:8081/`, { timeoutMs: 500 });
      expect(back.error).toBe("timeout");
    } finally {
      await net.rejoin("agent-a");
    }
    // No polling: rejoin resolves once the link forwards again (a first SYN lost would cost a 1 s retransmission).
    const back = await net.request("agent-a", target.url);
    expect(back).toMatchObject({ status: 200 });
    expect(back.ms).toBeLessThan(500);
    expect(await net.request("agent-a", hostUrl)).toMatchObject({ status: 200 });
  });

  it("dispose kills every process it spawned (with their children, even one in a session of its own) and leaves no namespace or link", async () => {
    const solo = await createTopology({ sites: ["solo"] });
    const group = solo.spawn("solo", "sh", ["-c", "sleep 600 & echo $!; wait"]);
    const session = solo.spawn("solo", "sh", ["-c", "setsid sleep 600 & echo $!; wait"]);
    const script = solo.node("solo", path.join(dir, "echo-client.ts"), [solo.hostAddress, "9"]);
    const groupLines = linesOf(group);
    const sessionLines = linesOf(session);
    await expect.poll(() => groupLines.length + sessionLines.length, output).toBe(2);
    const pids = [group.pid!, session.pid!, script.pid!, Number(groupLines[0]), Number(sessionLines[0])];
    for (const pid of pids) expect(running(pid)).toBe(true);
    expect(namesOf(solo.id).length).toBe(3);

    await solo.dispose();
    for (const pid of pids) expect(running(pid), `pid ${pid}`).toBe(false);
    expect(namesOf(solo.id)).toEqual([]);
    expect(spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout).not.toContain(solo.id);
    expect(spawnSync("ip", ["-o", "link"], { encoding: "utf8" }).stdout).not.toContain(solo.id);
    await solo.dispose();
  });

  it("an owning process that exits or is stopped (SIGTERM, as vitest ends its workers) without dispose takes its namespaces and processes along; a crashed one's are removed by the next run", async () => {
    // .mts: a module (top-level await) outside the project's package.json.
    const script = path.join(dir, "owner.mts");
    writeFileSync(
      script,
      `import { createTopology } from ${JSON.stringify(helper)};
const nets = [await createTopology({ sites: ["orphan"] }), await createTopology({ sites: ["orphan"] })];
const sleeper = nets[1].spawn("orphan", "sleep", ["600"]);
console.log(JSON.stringify({ ids: nets.map((n) => n.id), pid: sleeper.pid }));
process.stdin.on("data", () => process.exit(0));
`,
    );
    const owner = async () => {
      const child = spawn(process.execPath, ["--import", "tsx", script], { cwd: projectRoot, stdio: ["pipe", "pipe", "inherit"] });
      const lines = linesOf(child);
      await expect.poll(() => lines.length, output).toBe(1);
      const { ids, pid } = JSON.parse(lines[0]!) as { ids: string[]; pid: number };
      expect(ids.flatMap(namesOf)).toHaveLength(6);
      expect(running(pid)).toBe(true);
      const ended = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
      return { child, ids, pid, ended };
    };

    const exiting = await owner();
    exiting.child.stdin!.write("exit\n");
    expect(await exiting.ended).toBe(null);
    expect(exiting.ids.flatMap(namesOf)).toEqual([]);
    expect(running(exiting.pid)).toBe(false);

    const stopped = await owner();
    stopped.child.kill("SIGTERM");
    expect(await stopped.ended).toBe("SIGTERM");
    expect(stopped.ids.flatMap(namesOf)).toEqual([]);
    expect(running(stopped.pid)).toBe(false);

    const crashing = await owner();
    crashing.child.kill("SIGKILL");
    expect(await crashing.ended).toBe("SIGKILL");
    expect(crashing.ids.flatMap(namesOf)).toHaveLength(6);
    expect(running(crashing.pid)).toBe(true);
    // Our own topology's owner is alive: its names stay.
    const removed = removeLeftovers();
    expect(removed.filter((n) => n.startsWith(net.id))).toEqual([]);
    expect(crashing.ids.flatMap(namesOf)).toEqual([]);
    expect(running(crashing.pid)).toBe(false);
    expect(namesOf(net.id).length).toBe(5);
  });

  it.skipIf(!existsSync("/usr/sbin/runuser"))("when not root, says why it is skipped, or fails under VIGIL_REQUIRE_SERVERS=1", async () => {
    const probe = `import(${JSON.stringify(helper)}).then(async (m) => {
      const error = await m.createTopology({ sites: ["x"] }).then(() => "made", (err) => err.message);
      console.log(JSON.stringify({ available: m.netnsAvailable(), skip: m.netnsSkipReason() ?? null, error }));
    })`;
    const asNobody = async (require: string) => {
      const env = { ...process.env, VIGIL_REQUIRE_SERVERS: require };
      const done = await runTool("/usr/sbin/runuser", ["-u", "nobody", "--", process.execPath, "--import", "tsx", "-e", probe], "", { cwd: projectRoot, env });
      expect(done.stderr).toBe("");
      return JSON.parse(done.stdout);
    };
    const reason = "network namespaces cannot be made here: the tests do not run as root";
    const error = `VIGIL_REQUIRE_SERVERS=1 but ${reason}`;
    expect(await asNobody("")).toEqual({ available: { ok: false, reason: "the tests do not run as root" }, skip: reason, error });
    expect(await asNobody("1")).toEqual({ available: { ok: false, reason: "the tests do not run as root" }, skip: null, error });
  });
});

import { spawn as spawnChild, spawnSync, type ChildProcess, type SpawnOptions } from "node:child_process";
import { randomInt } from "node:crypto";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { onPath, skipReasonUnless } from "./server-process.ts";

/**
 * Real Linux network namespaces for tests that need separate network paths: one hub namespace holds a
 * bridge (layer 2 only, so no forwarding sysctl anywhere); each site is a namespace with a veth into
 * the bridge and its own addresses in a private /24; the root namespace, where the tests run, has a
 * veth of its own into the bridge. Nothing on the host changes but that one link of ours.
 */
export interface Topology {
  /** The name stem of everything this topology made: `vgt-<owner pid, base 36>-<3 random chars>`. */
  readonly id: string;
  /** The private /24, e.g. "10.213.77.0/24". */
  readonly subnet: string;
  /** The root namespace's address on the bridge: where a site reaches a server the test runs itself. */
  readonly hostAddress: string;
  readonly sites: readonly string[];
  /** The site's namespace name, for `ip -n`. */
  namespace(site: string): string;
  /** The site's first address. */
  address(site: string): string;
  addresses(site: string): readonly string[];
  /** Runs `command` in the site's namespace, in a process group of its own; killed (SIGKILL) with all it started on dispose. */
  spawn(site: string, command: string, args?: readonly string[], options?: Omit<SpawnOptions, "detached">): ChildProcess;
  /** Runs a script of the project (TypeScript too) in the site: `node --import tsx script args`, from the project root unless `cwd` says. */
  node(site: string, script: string, args?: readonly string[], options?: Omit<SpawnOptions, "detached">): ChildProcess;
  /** One HTTP GET from inside the site (no keep-alive): the status, or the error code (`timeout` after `timeoutMs`). */
  request(site: string, url: string, options?: { timeoutMs?: number }): Promise<RequestOutcome>;
  /** Starts an HTTP target in the site, listening on each of its addresses; the test flips it from here. */
  startTarget(site: string, options?: { port?: number }): Promise<NetnsTarget>;
  /**
   * `from` loses its path to `to` (a site, or "host"): "unreachable" routes inside `from`'s namespace,
   * so its new connections to `to` fail at once with EHOSTUNREACH, and its open TCP connections to `to`
   * are aborted (ECONNABORTED) unless `abortOpen` is false (they then stall until their own timeouts).
   * One way only, `to`'s connections to `from` hang (no answer can come back); `both` cuts `to` from `from` too.
   */
  cut(from: string, to: string, options?: CutOptions): Promise<void>;
  /** Undoes `cut` (both ways with `both`); a path that is not cut is left as it is. */
  restore(from: string, to: string, options?: { both?: boolean }): Promise<void>;
  /**
   * Pulls the site's cable (its link goes down): its new connections fail at once with ENETUNREACH and its
   * open TCP connections are aborted (ECONNABORTED); the others' connections to it fail once ARP gives up
   * (EHOSTUNREACH after about 3 s) or hang until their own timeouts.
   */
  isolate(site: string): Promise<void>;
  /** Plugs the cable back and resolves once the link forwards again. */
  rejoin(site: string): Promise<void>;
  /** Kills every process in the topology's namespaces, deletes them (and so their links) and the root-side link. */
  dispose(): Promise<void>;
}

/** A site, with how many addresses it needs (one unless said: e.g. one per service of a target). */
export type SiteSpec = string | { name: string; addresses?: number };

export interface CutOptions {
  both?: boolean;
  abortOpen?: boolean;
}

/** What an HTTP GET from a site got: an answer's status, or the error code of the failure. */
export interface RequestOutcome {
  status?: number;
  error?: string;
  ms: number;
}

/** How a target answers: "up" is 200 "ok", "error" is 500, "hang" accepts and never answers. */
export type TargetMode = "up" | "error" | "hang";

/** An HTTP target in a site, controlled through its stdin (so it obeys whatever happens to the network). */
export interface NetnsTarget {
  /** `http://<first address>:<port>/`. */
  url: string;
  /** One URL per address of the site. */
  urls: readonly string[];
  /** Every request received, in order (from = the client's address, to = the address it came in on). */
  requests: ReadonlyArray<{ from: string; to: string; method: string; path: string }>;
  /** Switches the mode and resolves once the target has. */
  set(mode: TargetMode): Promise<void>;
  stop(): Promise<void>;
}

/** Every namespace and root-side link these helpers make starts with it; nothing else is ever removed. */
export const netnsPrefix = "vgt-";

const searchDirs = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];
const ipBin = onPath("ip", searchDirs);
const ssBin = onPath("ss", searchDirs);
const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const reserved = new Set(["hub", "host"]);
const ownedName = new RegExp(`^${netnsPrefix}([0-9a-z]{1,7})-[0-9a-z]{3}(?:-|$)`);

let availability: { ok: true } | { ok: false; reason: string } | undefined;

/** Whether network namespaces can be made here (root, iproute2, a trial namespace with a bridge and a veth), and why not. */
export function netnsAvailable(): { ok: true } | { ok: false; reason: string } {
  availability ??= probeAvailability();
  return availability;
}

/** Why the namespace tests cannot run here, or undefined when they can (or must: VIGIL_REQUIRE_SERVERS=1). */
export function netnsSkipReason(): string | undefined {
  const found = netnsAvailable();
  return skipReasonUnless(found.ok, found.ok ? "" : `network namespaces cannot be made here: ${found.reason}`);
}

function probeAvailability(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== "linux") return { ok: false, reason: "they are a Linux feature" };
  if (process.getuid?.() !== 0) return { ok: false, reason: "the tests do not run as root" };
  if (!ipBin || !ssBin) return { ok: false, reason: "ip and ss are not installed (apt-get install iproute2)" };
  const trial = `${newStem()}-probe`;
  try {
    const steps = [
      ["netns", "add", trial],
      ["-n", trial, "link", "add", "br0", "type", "bridge"],
      ["-n", trial, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1"],
    ];
    for (const step of steps) {
      const done = run(ipBin, step);
      if (done.code !== 0) return { ok: false, reason: `ip ${step.join(" ")}: ${done.stderr.trim()}` };
    }
    return { ok: true };
  } finally {
    run(ipBin, ["netns", "del", trial]);
  }
}

/** Builds the topology: the hub, one namespace per site, their links and addresses; ready to carry traffic when it resolves. */
export async function createTopology(options: { sites: readonly SiteSpec[] }): Promise<Topology> {
  const found = netnsAvailable();
  if (!found.ok) throw new Error(`VIGIL_REQUIRE_SERVERS=1 but network namespaces cannot be made here: ${found.reason}`);
  removeLeftovers();
  const specs = options.sites.map((s) => (typeof s === "string" ? { name: s, addresses: 1 } : { name: s.name, addresses: s.addresses ?? 1 }));
  for (const { name, addresses } of specs) {
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(name) || reserved.has(name)) throw new Error(`site name ${JSON.stringify(name)}: use a-z, 0-9 and -, starting with a letter; "hub" and "host" are taken`);
    if (!Number.isInteger(addresses) || addresses < 1) throw new Error(`site ${name}: addresses must be a positive integer, not ${addresses}`);
  }
  if (new Set(specs.map((s) => s.name)).size !== specs.length) throw new Error("site names must differ");
  const total = specs.reduce((n, s) => n + s.addresses, 1);
  if (total > 253) throw new Error(`${total} addresses do not fit in a /24`);

  const id = newStem();
  const base = pickSubnet(hostPrefixes());
  const hub = `${id}-hub`;
  const hostAddress = `${base}.1`;
  let next = 2;
  const sites = new Map(specs.map((s, i) => [s.name, { ns: `${id}-${s.name}`, port: `s${i}`, addresses: Array.from({ length: s.addresses }, () => `${base}.${next++}`) }]));
  const children = new Set<ChildProcess>();
  const cuts = new Set<string>();
  const namespaces = [...[...sites.values()].map((s) => s.ns), hub];

  const teardownSync = () => {
    for (const child of children) killGroup(child);
    const errors: string[] = [];
    const link = run(ipBin!, ["link", "del", id]);
    if (link.code !== 0 && !/Cannot find device/.test(link.stderr)) errors.push(`ip link del ${id}: ${link.stderr.trim()}`);
    for (const ns of namespaces) {
      const error = removeNamespace(ns);
      if (error) errors.push(error);
    }
    if (errors.length > 0) throw new Error(`tearing down ${id}:\n${errors.join("\n")}`);
  };
  track(teardownSync);
  let disposed = false;

  const site = (name: string) => {
    const found = sites.get(name);
    if (!found) throw new Error(`no site ${JSON.stringify(name)} in this topology (sites: ${[...sites.keys()].join(", ")})`);
    return found;
  };
  const addressesOf = (name: string) => (name === "host" ? [hostAddress] : site(name).addresses);
  const inNs = (name: string, args: string[]) => ip(["-n", site(name).ns, ...args]);
  const linkReady = async (name: string) => {
    const { ns, port } = site(name);
    await until(`${name}'s link to carry traffic`, () => /state UP/.test(ip(["-n", ns, "-o", "link", "show", "eth0"])) && /state forwarding/.test(ip(["-n", hub, "-d", "-o", "link", "show", port])));
  };
  const abortOpen = (name: string, destination: string) => {
    const done = run(ipBin!, ["netns", "exec", site(name).ns, ssBin!, "-K", "-t", "-n", "dst", destination]);
    if (done.code !== 0) throw new Error(`aborting ${name}'s connections to ${destination}: ${done.stderr.trim()}`);
  };

  const topology: Topology = {
    id,
    subnet: `${base}.0/24`,
    hostAddress,
    sites: [...sites.keys()],
    namespace: (name) => site(name).ns,
    address: (name) => site(name).addresses[0]!,
    addresses: (name) => site(name).addresses,
    spawn(name, command, args = [], spawnOptions = {}) {
      const child = spawnChild(ipBin!, ["netns", "exec", site(name).ns, command, ...args], { ...spawnOptions, detached: true });
      children.add(child);
      return child;
    },
    node(name, script, args = [], spawnOptions = {}) {
      return topology.spawn(name, process.execPath, ["--import", tsxLoader, script, ...args], { cwd: projectRoot, ...spawnOptions });
    },
    async request(name, url, requestOptions = {}) {
      const child = topology.spawn(name, process.execPath, ["-e", requestScript, url, String(requestOptions.timeoutMs ?? 5000)], { stdio: ["ignore", "pipe", "pipe"] });
      const { code, stdout, stderr } = await collect(child);
      if (code !== 0) throw new Error(`GET ${url} from ${name} could not run (exit ${code}): ${stderr}`);
      return JSON.parse(stdout) as RequestOutcome;
    },
    startTarget: (name, targetOptions = {}) => startTarget(topology, name, targetOptions.port ?? 8080),
    async cut(from, to, cutOptions = {}) {
      const ways = cutOptions.both ? [[from, to], [to, from]] : [[from, to]];
      for (const [a, b] of ways as [string, string][]) {
        if (a === "host") throw new Error(`cut: the host's own routes are never changed; cut("${b}", "host") only, which leaves the host's connections to ${b} hanging`);
        site(a);
        addressesOf(b);
      }
      for (const [a, b] of ways as [string, string][]) {
        if (cuts.has(`${a}>${b}`)) continue;
        for (const address of addressesOf(b)) {
          inNs(a, ["route", "add", "unreachable", `${address}/32`]);
          if (cutOptions.abortOpen !== false) abortOpen(a, address);
        }
        cuts.add(`${a}>${b}`);
      }
    },
    async restore(from, to, restoreOptions = {}) {
      const ways = restoreOptions.both ? [[from, to], [to, from]] : [[from, to]];
      for (const [a, b] of ways as [string, string][]) {
        if (!cuts.delete(`${a}>${b}`)) continue;
        for (const address of addressesOf(b)) inNs(a, ["route", "del", "unreachable", `${address}/32`]);
      }
    },
    async isolate(name) {
      inNs(name, ["link", "set", "eth0", "down"]);
      abortOpen(name, topology.subnet);
    },
    async rejoin(name) {
      inNs(name, ["link", "set", "eth0", "up"]);
      await linkReady(name);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      untrack(teardownSync);
      const exits = [...children].map((child) => exited(child));
      for (const child of children) killGroup(child);
      for (const ns of namespaces) killNamespacePids(ns);
      await Promise.all(exits);
      teardownSync();
    },
  };

  try {
    ip(["netns", "add", hub]);
    ip(["-n", hub, "link", "set", "lo", "up"]);
    ip(["-n", hub, "link", "add", "br0", "type", "bridge"]);
    ip(["-n", hub, "link", "set", "br0", "up"]);
    ip(["link", "add", id, "type", "veth", "peer", "name", "host", "netns", hub]);
    ip(["-n", hub, "link", "set", "host", "master", "br0", "up"]);
    ip(["addr", "add", `${hostAddress}/24`, "dev", id]);
    ip(["link", "set", id, "up"]);
    for (const [name, { ns, port, addresses }] of sites) {
      ip(["netns", "add", ns]);
      inNs(name, ["link", "set", "lo", "up"]);
      // Made inside the namespaces: only the root-side link has a name in the host's namespace.
      ip(["link", "add", port, "netns", hub, "type", "veth", "peer", "name", "eth0", "netns", ns]);
      ip(["-n", hub, "link", "set", port, "master", "br0", "up"]);
      for (const address of addresses) inNs(name, ["addr", "add", `${address}/24`, "dev", "eth0"]);
      inNs(name, ["link", "set", "eth0", "up"]);
    }
    const clash = ipv4Prefixes(ip(["-o", "-4", "addr"]), (line) => !line.includes(` ${id} `)).find((p) => overlaps(p, base));
    if (clash) throw new Error(`${base}.0/24 was taken meanwhile (${clash})`);
    await until("the host's link to carry traffic", () => /state UP/.test(ip(["-o", "link", "show", id])) && /state forwarding/.test(ip(["-n", hub, "-d", "-o", "link", "show", "host"])));
    for (const name of sites.keys()) await linkReady(name);
  } catch (err) {
    untrack(teardownSync);
    try {
      teardownSync();
    } catch (cleanup) {
      throw new Error(`${String(err)}; and then ${String(cleanup)}`, { cause: err });
    }
    throw err;
  }
  return topology;
}

// The teardowns of this process's topologies not disposed of yet, run if it exits or is told to stop
// first (vitest ends its workers with SIGTERM): a test that forgets dispose leaves nothing behind.
const live = new Set<() => void>();
const signals = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

function teardownAll(): void {
  for (const teardown of [...live]) {
    live.delete(teardown);
    try {
      teardown();
    } catch (err) {
      console.error(String(err));
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  teardownAll();
  untrack();
  // Then die of the signal as if nobody had listened, unless someone else handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function track(teardown: () => void): void {
  if (live.size === 0) {
    process.on("exit", teardownAll);
    for (const signal of signals) process.on(signal, onSignal);
  }
  live.add(teardown);
}

function untrack(teardown?: () => void): void {
  if (teardown) live.delete(teardown);
  if (live.size > 0) return;
  process.removeListener("exit", teardownAll);
  for (const signal of signals) process.removeListener(signal, onSignal);
}

/** Removes namespaces and root-side links of ours (`vgt-`) whose owning process is gone (a crashed run); the names removed. */
export function removeLeftovers(): string[] {
  if (!ipBin) return [];
  const removed: string[] = [];
  const deadOwner = (name: string) => {
    const owner = ownedName.exec(name);
    return owner !== null && !alive(Number.parseInt(owner[1]!, 36));
  };
  for (const ns of namespaceNames().filter(deadOwner)) {
    const error = removeNamespace(ns);
    if (error) throw new Error(`removing a leftover namespace: ${error}`);
    removed.push(ns);
  }
  for (const link of rootLinkNames().filter(deadOwner)) {
    // A veth goes with its peer: the second end of a pair may already be gone.
    const done = run(ipBin, ["link", "del", link]);
    if (done.code !== 0 && !/Cannot find device/.test(done.stderr)) throw new Error(`removing the leftover link ${link}: ${done.stderr.trim()}`);
    removed.push(link);
  }
  return removed;
}

/** Names in `ip netns list`. */
export function namespaceNames(): string[] {
  return ip(["netns", "list"]).split("\n").map((l) => l.split(" ")[0]!).filter((n) => n !== "");
}

/** Names of the links in the root namespace (`ip -o link`, without the `@peer` part). */
export function rootLinkNames(): string[] {
  return ip(["-o", "link"]).split("\n").filter((l) => l !== "").map((l) => l.split(": ")[1]!.split("@")[0]!);
}

async function startTarget(topology: Topology, site: string, port: number): Promise<NetnsTarget> {
  const hosts = topology.addresses(site);
  const child = topology.spawn(site, process.execPath, ["-e", targetScript, String(port), ...hosts], { stdio: ["pipe", "pipe", "pipe"] });
  const requests: { from: string; to: string; method: string; path: string }[] = [];
  const acks: (() => void)[] = [];
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const gone = exited(child);
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const message = JSON.parse(line) as { ready?: true; mode?: TargetMode; request?: (typeof requests)[number] };
      if (message.ready) resolve();
      if (message.request) requests.push(message.request);
      if (message.mode) acks.shift()?.();
    });
    void gone.then(() => reject(new Error(`the target in ${site} exited before it listened: ${stderr.trim()}`)));
  });
  await ready;
  const urls = hosts.map((h) => `http://${h}:${port}/`);
  return {
    url: urls[0]!,
    urls,
    requests,
    set: (mode) =>
      new Promise<void>((resolve, reject) => {
        if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`the target in ${site} is not running`));
        acks.push(resolve);
        child.stdin!.write(`${mode}\n`);
      }),
    async stop() {
      killGroup(child);
      await gone;
    },
  };
}

// Plain JavaScript run with `node -e` in a site: an HTTP server on each address given, obeying mode lines on stdin.
const targetScript = `
const http = require("node:http");
const [port, ...hosts] = process.argv.slice(1);
const say = (message) => process.stdout.write(JSON.stringify(message) + "\\n");
let mode = "up";
let listening = 0;
for (const host of hosts) {
  const server = http.createServer((req, res) => {
    say({ request: { from: req.socket.remoteAddress, to: host, method: req.method, path: req.url } });
    if (mode === "hang") return;
    res.writeHead(mode === "up" ? 200 : 500, { "content-type": "text/plain" }).end(mode === "up" ? "ok\\n" : "error\\n");
  });
  server.listen(Number(port), host, () => { if (++listening === hosts.length) say({ ready: true }); });
}
require("node:readline").createInterface({ input: process.stdin })
  .on("line", (line) => { mode = line.trim(); say({ mode }); })
  .on("close", () => process.exit(0));
`;

const requestScript = `
const http = require("node:http");
const [url, timeout] = process.argv.slice(1);
const started = Date.now();
const done = (outcome) => { process.stdout.write(JSON.stringify({ ...outcome, ms: Date.now() - started })); process.exit(0); };
const req = http.get(url, { agent: false, timeout: Number(timeout) }, (res) => { res.resume(); res.on("end", () => done({ status: res.statusCode })); });
req.on("timeout", () => done({ error: "timeout" }));
req.on("error", (err) => done({ error: err.code || err.message }));
`;

function newStem(): string {
  return `${netnsPrefix}${process.pid.toString(36)}-${randomInt(36 ** 3).toString(36).padStart(3, "0")}`;
}

/**
 * A random 10.200-250.x.0/24 that none of `used` (the host's addresses and routes, as `ip` prints them)
 * overlaps; its first three octets. `random(n)` is an integer in [0, n).
 */
export function pickSubnet(used: readonly string[], random: (n: number) => number = randomInt): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = `10.${200 + random(51)}.${random(256)}`;
    if (!used.some((p) => overlaps(p, base))) return base;
  }
  throw new Error("no free /24 in 10.200.0.0-10.250.255.0");
}

/** What addresses and routes the host has: the IPv4 prefixes in `ip -o -4 addr` and `ip -4 route show table all`. */
function hostPrefixes(): string[] {
  return [...ipv4Prefixes(ip(["-o", "-4", "addr"])), ...ipv4Prefixes(ip(["-4", "route", "show", "table", "all"]))];
}

/** The IPv4 addresses and prefixes (a.b.c.d/n) of `ip` output lines that `keep` accepts. */
function ipv4Prefixes(output: string, keep: (line: string) => boolean = () => true): string[] {
  return output
    .split("\n")
    .filter(keep)
    .flatMap((line) => line.split(/\s+/).filter((word) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(word)));
}

/** Whether `prefix` (a.b.c.d or a.b.c.d/n) and the /24 `base`.0 share an address. */
function overlaps(prefix: string, base: string): boolean {
  const [address, bits] = prefix.split("/");
  const length = Math.min(bits === undefined ? 32 : Number(bits), 24);
  const toInt = (a: string) => a.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return ((toInt(address!) & mask) >>> 0) === ((toInt(`${base}.0`) & mask) >>> 0);
}

function run(command: string, args: readonly string[]): { code: number; stdout: string; stderr: string } {
  const done = spawnSync(command, args, { encoding: "utf8" });
  return { code: done.status ?? -1, stdout: done.stdout ?? "", stderr: done.stderr ?? String(done.error ?? "") };
}

function ip(args: readonly string[]): string {
  if (!ipBin) throw new Error("ip is not installed (apt-get install iproute2)");
  const done = run(ipBin, args);
  if (done.code !== 0) throw new Error(`ip ${args.join(" ")} failed: ${done.stderr.trim()}`);
  return done.stdout;
}

/** Kills whatever runs in `ns` and deletes it; an error message, or undefined when it is gone. */
function removeNamespace(ns: string): string | undefined {
  killNamespacePids(ns);
  const done = run(ipBin!, ["netns", "del", ns]);
  if (done.code === 0 || /No such file/.test(done.stderr)) return undefined;
  return `ip netns del ${ns}: ${done.stderr.trim()}`;
}

function killNamespacePids(ns: string): void {
  const pids = run(ipBin!, ["netns", "pids", ns]).stdout.split("\n").filter((p) => /^\d+$/.test(p));
  for (const pid of pids) killQuietly(Number(pid));
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  killQuietly(-child.pid);
  killQuietly(child.pid);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

function collect(child: ChildProcess): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c) => (stdout += c));
  child.stderr?.on("data", (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Polls `check` every 10 ms until it holds, for at most 5 s. */
async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited 5 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

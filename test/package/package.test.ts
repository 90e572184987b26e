import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVigil, startServe } from "../helpers/cli.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };

/** The files `npm pack` would put in the package (dist/ is built by the test run's global setup). */
function packedFiles(): string[] {
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const res = spawnSync(npm, ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" });
  expect(res.status, res.stderr).toBe(0);
  const [report] = JSON.parse(res.stdout) as { files: { path: string }[] }[];
  return report!.files.map((f) => f.path).sort();
}

/** A copy of the given files of this checkout, with its node_modules linked in: Vigil as installed. */
function copyOf(dir: string, files: string[]): string {
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    cpSync(path.join(root, file), path.join(dir, file), { recursive: true });
  }
  symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  return path.join(dir, "bin", "vigil.js");
}

const config = `
site: { name: Acme Packaged Status }
components:
  - id: api
    name: Production API
    monitors: [api-health]
monitors:
  - id: api-health
    type: http
    url: http://127.0.0.1:9/health
    interval: 1h
statuspage:
  render_thread: always
`;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), "vigil-package-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

// These start real `vigil` processes from copies of the package: seconds each on a loaded machine.
describe("the package", { timeout: 240_000 }, () => {
  it("holds the compiled program, its migrations, the example and bin, and no sources or tests", () => {
    const files = packedFiles();
    expect(files).toContain("bin/vigil.js");
    expect(files).toContain("dist/cli/main.js");
    expect(files).toContain("dist/app/statuspage/render-worker.mjs");
    expect(files).toContain("dist/app/statuspage/render-thread.js");
    expect(files).toContain("examples/vigil.example.yaml");
    expect(files).toContain("package.json");
    expect(files).toContain("README.md");
    expect(files.filter((f) => f.startsWith("migrations/") && f.endsWith(".sql")).length).toBeGreaterThan(0);
    expect(files.filter((f) => /(^|\/)(src|test|bench|scripts)\//.test(f) || /\.test\.|\.ts$|fixtures\//.test(f))).toEqual([]);
    // Each module of the program is there, compiled (dist/ mirrors src/ less the tests).
    expect(files.filter((f) => f.startsWith("dist/")).length).toBeGreaterThan(200);
  });

  it("runs from dist/ alone: --version, validate with the bundled example, serve with its render thread", async () => {
    const dir = path.join(tmp, "packed");
    const bin = copyOf(dir, packedFiles());
    expect(existsSync(path.join(dir, "src"))).toBe(false);

    const version = await runVigil(["--version"], { bin });
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
    // The program itself (not only bin's shortcut) finds package.json from dist/.
    const long = await runVigil(["--help"], { bin });
    expect(long.code).toBe(0);
    expect(long.stdout).toContain("-v, --version");

    const work = path.join(tmp, "work");
    mkdirSync(work);
    const validate = await runVigil(["validate"], { bin, cwd: work });
    expect(validate.stdout).toContain(`${path.join(dir, "examples", "vigil.example.yaml")}: valid`);
    expect(validate.code).toBe(0);

    writeFileSync(path.join(work, "vigil.yaml"), config);
    const serve = await startServe(["--data", path.join(work, "data")], { bin, cwd: work, timeoutMs: 90_000 });
    try {
      const page = await fetch(`${serve.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Acme Packaged Status");
      expect(serve.output()).not.toContain("render thread");
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  it("runs its sources through tsx where dist/ was not built", async () => {
    const dir = path.join(tmp, "unbuilt");
    const bin = copyOf(dir, ["bin", "src", "package.json", "migrations", "examples"]);
    expect(existsSync(path.join(dir, "dist"))).toBe(false);
    const res = await runVigil(["validate"], { bin, cwd: tmp });
    expect(res.stdout).toContain(`${path.join(dir, "examples", "vigil.example.yaml")}: valid`);
    expect(res.code).toBe(0);
  });
});

describe("the installed dependencies", () => {
  it("each admit the Node.js running them (npm ci warns EBADENGINE otherwise)", () => {
    // npm's own range reading (a dependency of the toolchain, not of Vigil).
    const semver = createRequire(import.meta.url)("semver") as { satisfies(version: string, range: string): boolean };
    const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as { packages: Record<string, { engines?: { node?: string }; optional?: boolean }> };
    // Optional packages for other platforms are not installed, and npm does not check them.
    const refused = Object.entries(lock.packages)
      .filter(([where, p]) => where !== "" && p.engines?.node !== undefined && (!p.optional || existsSync(path.join(root, where))))
      .filter(([, p]) => !semver.satisfies(process.versions.node, p.engines!.node!))
      .map(([where, p]) => `${where} wants node ${p.engines!.node}`);
    expect(refused).toEqual([]);
  });

  it("include a cookie library that fastify's inject can load and use on Node.js 20", async () => {
    const { default: Fastify } = await import("fastify");
    const app = Fastify();
    app.get("/", async (req) => ({ cookie: req.headers.cookie }));
    try {
      const res = await app.inject({ url: "/", cookies: { session: "a b;c" } });
      expect(res.json()).toEqual({ cookie: "session=a%20b%3Bc" });
    } finally {
      await app.close();
    }
  });
});

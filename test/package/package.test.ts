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
    expect(files).toContain("dist/cli/agent-main.js");
    expect(files).toContain("dist/app/statuspage/render-worker.mjs");
    expect(files).toContain("dist/app/statuspage/render-thread.js");
    expect(files).toContain("examples/vigil.example.yaml");
    expect(files).toContain("package.json");
    expect(files).toContain("README.md");
    expect(files.filter((f) => f.startsWith("migrations/") && f.endsWith(".sql")).length).toBeGreaterThan(0);
    expect(files.filter((f) => /(^|\/)(src|test|bench|scripts)\//.test(f) || /\.test[.-]|\.ts$|fixtures\//.test(f))).toEqual([]);
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

describe("the build (scripts/build.mjs)", () => {
  /** A project of its own: the build script, tsconfig.json, a few sources; node_modules linked when `withCompiler`. */
  function project(name: string, withCompiler: boolean): string {
    const dir = path.join(tmp, name);
    mkdirSync(path.join(dir, "scripts"), { recursive: true });
    cpSync(path.join(root, "scripts", "build.mjs"), path.join(dir, "scripts", "build.mjs"));
    cpSync(path.join(root, "tsconfig.json"), path.join(dir, "tsconfig.json"));
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const files: Record<string, string> = {
      "src/main.ts": `import { greet } from "./lib/greet.ts";\nimport type { Name } from "./lib/greet.ts";\nconst who: Name = "acme";\nconsole.log(greet(who));\n`,
      "src/lib/greet.ts": `export type Name = string;\nexport function greet(name: Name): string {\n  return \`hello \${name}\`;\n}\n`,
      "src/lib/greet.test.ts": `throw new Error("a test, never built");\n`,
      "src/lib/greet.test-helper.ts": `throw new Error("a helper of tests, never built");\n`,
      "src/lib/fixtures/sample.json": `{}\n`,
      "src/lib/worker.mjs": `export {};\n`,
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    if (withCompiler) symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
  }
  const build = (dir: string, ...args: string[]) => spawnSync(process.execPath, [path.join(dir, "scripts", "build.mjs"), ...args], { encoding: "utf8" });
  const run = (file: string) => spawnSync(process.execPath, [file], { encoding: "utf8" });

  it("compiles each source to dist/ with its imports rewritten, leaves tests and fixtures out, and rebuilds only what changed", () => {
    const dir = project("build", true);
    const first = build(dir);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain("3 file(s) built, 0 removed, 0 up to date");
    expect(run(path.join(dir, "dist", "main.js")).stdout).toBe("hello acme\n");
    expect(existsSync(path.join(dir, "dist", "lib", "greet.test.js"))).toBe(false);
    expect(existsSync(path.join(dir, "dist", "lib", "greet.test-helper.js"))).toBe(false);
    expect(existsSync(path.join(dir, "dist", "lib", "fixtures"))).toBe(false);
    expect(existsSync(path.join(dir, "dist", "lib", "worker.mjs"))).toBe(true);

    expect(build(dir).stdout).toBe("");
    writeFileSync(path.join(dir, "src", "lib", "greet.ts"), `export type Name = string;\nexport const greet = (name: Name): string => \`hi \${name}\`;\n`);
    rmSync(path.join(dir, "src", "lib", "worker.mjs"));
    const second = build(dir);
    expect(second.stdout).toContain("1 file(s) built, 1 removed, 1 up to date");
    expect(run(path.join(dir, "dist", "main.js")).stdout).toBe("hi acme\n");
    expect(existsSync(path.join(dir, "dist", "lib", "worker.mjs"))).toBe(false);
  });

  it("fails on a syntax error with the file and line, and builds nothing for it", () => {
    const dir = project("broken", true);
    writeFileSync(path.join(dir, "src", "lib", "greet.ts"), `export function greet(name: string {\n  return name;\n}\n`);
    const res = build(dir);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/build failed:\n.*src\/lib\/greet\.ts\(1,/);
    expect(existsSync(path.join(dir, "dist", "lib", "greet.js"))).toBe(false);
  });

  it("leaves dist/ as it is where there are no sources (a package as shipped)", () => {
    const dir = project("shipped", true);
    expect(build(dir).status).toBe(0);
    rmSync(path.join(dir, "src"), { recursive: true });
    const res = build(dir);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain("no src/ here");
    expect(run(path.join(dir, "dist", "main.js")).stdout).toBe("hello acme\n");
  });

  it("without the compiler installed: fails, but as npm's prepare says so and leaves dist/ unbuilt", () => {
    const dir = project("no-compiler", false);
    const plain = build(dir);
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain("typescript");
    const prepare = build(dir, "--prepare");
    expect(prepare.status).toBe(0);
    expect(prepare.stdout).toContain("TypeScript is not installed");
    expect(existsSync(path.join(dir, "dist", "main.js"))).toBe(false);
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

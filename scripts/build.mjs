// Compiles src/ to dist/, which is what bin/vigil.js runs: each TypeScript file on its own (the
// sources are written for isolatedModules), without type checking (that is `npm run typecheck`),
// relative imports rewritten from `.ts` to `.js`; other files (render-worker.mjs) copied as they are.
// dist/ mirrors src/ folder for folder, so a path read relative to a module (../../migrations,
// ../../examples, ../../package.json) names the same file from both. Tests (*.test.ts, and their
// helpers *.test-helper.ts) and test fixtures stay out.
//
// Incremental: a file is compiled again only when its source changed (by content, recorded in
// dist/.build.json), and whatever in dist/ no longer has a source is deleted, so a build after any
// change, checkout or rename leaves dist/ exactly as a build from nothing would. A build with
// nothing to do takes a few milliseconds: the test run starts with one (vitest.config.ts).
//
//   node scripts/build.mjs            build, or fail with the compiler's messages (exit 1)
//   node scripts/build.mjs --prepare  the same, but without the compiler installed (npm ci
//                                     --omit=dev) say so and leave dist/ unbuilt (exit 0)
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const src = path.join(root, "src");
const out = path.join(root, "dist");
const manifestFile = path.join(out, ".build.json");
const started = performance.now();

// A package without its sources (as installed from npm) keeps the dist/ it came with.
if (!existsSync(src)) {
  process.stdout.write("note: no src/ here: dist/ is left as it is\n");
  process.exit(0);
}

function* walk(dir, base = dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full, base);
    else yield path.relative(base, full);
  }
}

// Tests, what only tests import (*.test-helper.ts), and test fixtures are not part of the program.
const isSource = (rel) => !/\.test(-[a-z]+)?\.ts$/.test(rel) && !rel.split(path.sep).includes("fixtures");
const outputOf = (rel) => rel.replace(/\.ts$/, ".js");
const sha = (text) => createHash("sha256").update(text).digest("hex");

// A change to this script or to the compiler options rebuilds everything.
const recipe = sha(readFileSync(fileURLToPath(import.meta.url)) + readFileSync(path.join(root, "tsconfig.json")));
let manifest = { recipe, files: {} };
try {
  const previous = JSON.parse(readFileSync(manifestFile, "utf8"));
  if (previous.recipe === recipe) manifest = previous;
} catch {
  // No build yet, or an unreadable record: build everything.
}

const sources = [...walk(src)].filter(isSource);
const wanted = new Set(sources.map(outputOf));
let removed = 0;
for (const rel of walk(out)) {
  if (rel === ".build.json" || wanted.has(rel)) continue;
  rmSync(path.join(out, rel));
  removed++;
}

let ts;
async function compiler() {
  if (ts) return ts;
  try {
    ts = (await import("typescript")).default;
  } catch (err) {
    if (process.argv.includes("--prepare") && err?.code === "ERR_MODULE_NOT_FOUND") {
      process.stdout.write("note: TypeScript is not installed (an install without devDependencies): dist/ is not built, and vigil runs its sources through tsx (slower to start)\n");
      process.exit(0);
    }
    throw err;
  }
  return ts;
}

function compilerOptions(ts) {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail(ts, [d]) });
  // Every module is ESM (package.json "type": "module"), which transpileModule cannot see from a file name.
  return { ...parsed.options, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noEmit: false, rewriteRelativeImportExtensions: true, sourceMap: false, declaration: false };
}

function fail(ts, diagnostics) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" };
  process.stderr.write(`build failed:\n${ts.formatDiagnostics(diagnostics, host)}`);
  process.exit(1);
}

function write(target, content) {
  mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, target);
}

let options;
const problems = [];
const files = {};
let compiled = 0;
for (const rel of sources) {
  const text = readFileSync(path.join(src, rel));
  const hash = sha(text);
  const target = path.join(out, outputOf(rel));
  files[rel] = hash;
  if (manifest.files[rel] === hash && existsSync(target)) continue;
  if (rel.endsWith(".ts")) {
    const ts = await compiler();
    options ??= compilerOptions(ts);
    const result = ts.transpileModule(text.toString("utf8"), { compilerOptions: options, fileName: path.join(src, rel), reportDiagnostics: true });
    if (result.diagnostics?.length) {
      problems.push(...result.diagnostics);
      delete files[rel];
      continue;
    }
    write(target, result.outputText);
  } else {
    // Copied from the bytes already read for the hash.
    write(target, text);
  }
  compiled++;
}
if (problems.length > 0) fail(ts, problems);
write(manifestFile, `${JSON.stringify({ recipe, files }, null, 1)}\n`);
if (compiled > 0 || removed > 0 || process.stdout.isTTY) {
  process.stdout.write(`dist/: ${compiled} file(s) built, ${removed} removed, ${sources.length - compiled} up to date (${Math.round(performance.now() - started)} ms)\n`);
}

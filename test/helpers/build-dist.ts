// vitest's global setup: brings dist/ up to date before any test runs, so that the tests that start
// bin/vigil.js run what users run (the compiled program) built from the sources under test.
// Nothing to do takes a few milliseconds; a failed build fails the run with the compiler's messages.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function buildDist(): void {
  const script = fileURLToPath(new URL("../../scripts/build.mjs", import.meta.url));
  const result = spawnSync(process.execPath, [script], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`building dist/ failed (node scripts/build.mjs):\n${result.stderr}${result.stdout}`);
  if (result.stdout.trim()) process.stdout.write(result.stdout);
}

import { spawn } from "node:child_process";
import { onPath, skipReasonUnless } from "./server-process.ts";

/** A command-line tool from a Debian package: where it is, or why its tests are skipped (never with VIGIL_REQUIRE_SERVERS=1). */
export function debianTool(command: string, debianPackage: string): { path: string | undefined; skip: string | undefined } {
  const found = onPath(command, ["/usr/bin", "/usr/local/bin"]);
  const skip = skipReasonUnless(found !== undefined, `${command} is not installed (apt-get install ${debianPackage})`);
  if (skip === undefined && found === undefined) throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${command} is not installed (apt-get install ${debianPackage})`);
  return { path: found, skip };
}

/** Runs `command args` (in `cwd`, with `env`), writing `input` to its stdin; its exit code and output. */
export function runTool(
  command: string,
  args: string[],
  input = "",
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

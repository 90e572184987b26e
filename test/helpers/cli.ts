import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runTool } from "./tools.ts";

export const vigilBin = fileURLToPath(new URL("../../bin/vigil.js", import.meta.url));

/** Environment for a child `vigil`: the parent's, without anything that would pick a store for it. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...extra };
  if (!("DATABASE_URL" in extra)) delete env.DATABASE_URL;
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

/** Runs `vigil ARGS` to completion (`bin`: another copy's bin/vigil.js). */
export function runVigil(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; bin?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return runTool(process.execPath, [options.bin ?? vigilBin, ...args], "", { cwd: options.cwd, env: childEnv(options.env) });
}

/** A `vigil serve` child process, started and ready. */
export interface ServeProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Sends a signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Starts `vigil serve ARGS --port 0` and resolves once it prints the URL it listens on. */
export function startServe(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number; bin?: string } = {}): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? vigilBin, "serve", "--port", "0", "--log-format", "json", ...args], {
      cwd: options.cwd,
      env: childEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const exited = new Promise<number>((r) => child.on("exit", (code, signal) => r(code ?? (signal ? 128 : -1))));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`vigil serve did not become ready in time:\n${out}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk;
      const match = /Vigil is running at (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1] as string,
          child,
          output: () => out,
          stop: async (signal = "SIGTERM") => {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (c) => (out += c));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`vigil serve exited with ${code} before it was ready:\n${out}`));
    });
  });
}

/** What an in-process `vigil` run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `vigil ARGS` in-process with only `env` as its environment, in `cwd` (this process's by default). */
export async function vigilInProcess(args: string[], env: Record<string, string | undefined>, cwd = process.cwd()): Promise<CliRun> {
  const { main } = await import("../../src/cli/main.ts");
  let stdout = "";
  let stderr = "";
  const code = await main(["node", "vigil", ...args], { env, cwd, stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), isTty: false });
  return { code, stdout, stderr };
}

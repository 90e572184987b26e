#!/usr/bin/env node
// Vigil's command line. It runs the compiled JavaScript in dist/ (built from src/ by `npm run build`,
// which `npm ci` and `npm pack` run through the `prepare` script). Where dist/ was not built (an
// install with --ignore-scripts, or with --omit=dev, which leaves the compiler out), it runs the
// TypeScript sources through tsx instead: the same program, slower to start (docs/decisions.md).
import { existsSync, readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  // Answered before the program and its libraries load, which takes most of a second.
  const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${version}\n`);
} else {
  // A small young generation: Vigil allocates little per request, and idle RSS matters more (docs/performance.md).
  setFlagsFromString("--max-semi-space-size=2");

  // A probe agent loads its own commands only, not the server's: it is meant to be small (docs/agents.md).
  const agent = args[0] === "agent" || args[0] === "agents";
  const compiled = new URL(agent ? "../dist/cli/agent-main.js" : "../dist/cli/main.js", import.meta.url);
  let main;
  if (existsSync(compiled)) {
    const loaded = await import(compiled.href);
    main = agent ? loaded.agentMain : loaded.main;
  } else {
    const { register } = await import("tsx/esm/api");
    register();
    main = agent ? (await import("../src/cli/agent-main.ts")).agentMain : (await import("../src/cli/main.ts")).main;
  }
  process.exitCode = await main(process.argv);
}

#!/usr/bin/env node
// Vigil runs its TypeScript sources through tsx's loader: one code path for development and production.
import { setFlagsFromString } from "node:v8";
import { register } from "tsx/esm/api";

// A small young generation: Vigil allocates little per request, and idle RSS matters more (docs/performance.md).
setFlagsFromString("--max-semi-space-size=2");

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);

#!/usr/bin/env node
// Vigil runs its TypeScript sources through tsx's loader: one code path for development and production.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);

// The status page's render thread. Plain JavaScript so that it starts without the main thread's
// loader. Built (dist/), the compiled worker sits beside it; from the sources, it registers tsx
// itself, then runs the TypeScript worker.
import { existsSync } from "node:fs";

const compiled = new URL("./render-thread.js", import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("./render-thread.ts");
}

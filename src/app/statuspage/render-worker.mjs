// The status page's render thread. Plain JavaScript so that it starts without the main thread's
// loader; it registers tsx itself, then runs the TypeScript worker.
import { register } from "tsx/esm/api";

register();
await import("./render-thread.ts");

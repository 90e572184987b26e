// `node --import <this file>` appends the URL of every module the process loads (ES modules, and the entry of each
// CommonJS package an ES module imports) to the file named by $VIGIL_TEST_MODULE_LOG, one a line, as it loads.
// Node.js runs module hooks on a thread of their own: there this file is the hooks; on the main thread it registers them.
import { appendFileSync } from "node:fs";
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

let file;

export function initialize(data) {
  file = data.file;
}

export async function load(url, context, nextLoad) {
  const loaded = await nextLoad(url, context);
  if (!url.startsWith("node:")) appendFileSync(file, `${url}\n`);
  return loaded;
}

if (isMainThread) {
  const target = process.env.VIGIL_TEST_MODULE_LOG;
  if (!target) throw new Error("module-log.mjs needs $VIGIL_TEST_MODULE_LOG: the file to append loaded modules to");
  register(import.meta.url, { data: { file: target } });
}

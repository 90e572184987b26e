import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Snapshot } from "./snapshot.ts";

/**
 * The file a site path is written to: a path with an extension as it is (`/api/v2/summary.json`),
 * any other as a directory index (`/` → `index.html`, `/incidents/inc_1` → `incidents/inc_1/index.html`),
 * which every web server serves for the path with or without its trailing slash.
 */
export function fileNameOf(sitePath: string): string {
  const clean = sitePath.split("?")[0] ?? "/";
  const segments = clean.split("/").filter((s) => s !== "" && s !== "." && s !== "..");
  const last = segments.at(-1);
  if (last !== undefined && /\.[a-z0-9]+$/i.test(last)) return segments.join("/");
  return [...segments, "index.html"].join("/");
}

/**
 * Writes the whole site into `dir`: every file goes to a staging name in the same directory and is
 * renamed into place, so a web server never serves a half-written file; files no longer in the site
 * are removed afterwards. Beside each compressible file go its `.gz` and `.br` variants, for web
 * servers that serve pre-compressed files (nginx `gzip_static on`, `brotli_static on`).
 */
export async function writeSiteDir(dir: string, snapshot: Snapshot): Promise<number> {
  await mkdir(dir, { recursive: true });
  const wanted = new Set<string>();
  const tag = randomBytes(4).toString("hex");
  for (const [sitePath, artifact] of snapshot.files) {
    const name = fileNameOf(sitePath);
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    const variants: [string, Buffer][] = [[name, artifact.body]];
    if (artifact.gzip) variants.push([`${name}.gz`, artifact.gzip]);
    if (artifact.br) variants.push([`${name}.br`, artifact.br]);
    for (const [file, bytes] of variants) {
      wanted.add(file);
      const staging = path.join(dir, `${file}.${tag}.tmp`);
      await writeFile(staging, bytes);
      await rename(staging, path.join(dir, file));
    }
  }
  await removeStale(dir, dir, wanted);
  return snapshot.files.size;
}

async function removeStale(root: string, dir: string, wanted: Set<string>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const relative = path.relative(root, full).split(path.sep).join("/");
    if (entry.isDirectory()) {
      await removeStale(root, full, wanted);
      if ((await readdir(full)).length === 0) await rm(full, { recursive: true, force: true });
    } else if (!wanted.has(relative)) {
      await rm(full, { force: true });
    }
  }
}

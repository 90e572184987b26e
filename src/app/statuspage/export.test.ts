import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fileNameOf, writeSiteDir } from "./export.ts";
import { buildSnapshot } from "./snapshot.ts";

describe("fileNameOf", () => {
  it.each([
    ["/", "index.html"],
    ["/incidents/inc_1", "incidents/inc_1/index.html"],
    ["/history?page=2", "history/index.html"],
    ["/api/v2/summary.json", "api/v2/summary.json"],
    ["/badges/api.svg", "badges/api.svg"],
    ["/../../etc/passwd", "etc/passwd/index.html"],
    ["/embed", "embed/index.html"],
  ])("%s → %s", (sitePath, file) => {
    expect(fileNameOf(sitePath)).toBe(file);
  });
});

describe("writeSiteDir", () => {
  it("writes every file with its compressed variants, replaces changed ones, and removes stale ones", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "vigil-export-"));
    try {
      const file = (body: string) => ({ contentType: "text/html", cacheControl: "public", body });
      const first = await buildSnapshot(new Map([["/", file("x".repeat(2000))], ["/incidents/a", file("small")], ["/api/v2/status.json", file("{}")]]), new Date());
      expect(await writeSiteDir(dir, first)).toBe(3);
      expect((await readdir(dir, { recursive: true })).sort()).toEqual(["api", "api/v2", "api/v2/status.json", "incidents", "incidents/a", "incidents/a/index.html", "index.html", "index.html.br", "index.html.gz"]);
      await writeFile(path.join(dir, "index.html.stale.tmp"), "left by a crash");
      const second = await buildSnapshot(new Map([["/", file("y")]]), new Date(), first);
      await writeSiteDir(dir, second);
      expect((await readdir(dir, { recursive: true })).sort()).toEqual(["index.html"]);
      expect(await readFile(path.join(dir, "index.html"), "utf8")).toBe("y");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

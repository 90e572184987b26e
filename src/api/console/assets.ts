/**
 * The console's static files (its style sheet and scripts), served from /manage/assets. Each is read once at start;
 * pages name it with its content's hash (`?v=`), so a browser may keep it for a year and still gets a new version at
 * once.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { AppError } from "../../core/errors.ts";

const types: Record<string, string> = { css: "text/css; charset=utf-8", js: "text/javascript; charset=utf-8" };
const names = ["console.css", "overview.js", "incidents.js"] as const;

interface Asset {
  body: Buffer;
  type: string;
  version: string;
}

const assets = new Map<string, Asset>(
  names.map((name) => {
    const body = readFileSync(new URL(`./assets/${name}`, import.meta.url));
    const type = types[name.slice(name.lastIndexOf(".") + 1)] ?? "application/octet-stream";
    return [name, { body, type, version: createHash("sha256").update(body).digest("base64url").slice(0, 10) }];
  }),
);

/** The path a page names a console asset by, with its version. */
export function assetPath(name: string): string {
  const asset = assets.get(name);
  if (!asset) throw new Error(`no console asset ${name}`);
  return `/manage/assets/${name}?v=${asset.version}`;
}

/** The size in bytes of a console asset as sent (uncompressed). */
export function assetBytes(name: string): number {
  return assets.get(name)?.body.length ?? 0;
}

/** Registers GET /manage/assets/:name: public files (they hold nothing about anyone), cached for a year when versioned. */
export function registerConsoleAssets(app: FastifyInstance): void {
  app.get<{ Params: { name: string }; Querystring: { v?: string } }>("/manage/assets/:name", async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) throw new AppError("not_found", `no console asset ${request.params.name}`);
    const versioned = request.query.v === asset.version;
    return reply
      .header("content-type", asset.type)
      .header("cache-control", versioned ? "public, max-age=31536000, immutable" : "no-cache")
      .header("etag", `"${asset.version}"`)
      .send(asset.body);
  });
}

import { createHash } from "node:crypto";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { SiteFile } from "../../statuspage/render/site.ts";

/** One file of the site, ready to serve: its bytes, compressed variants and strong ETag. */
export interface Artifact {
  contentType: string;
  cacheControl: string;
  body: Buffer;
  /** Compressed variants; null for small files, served as they are. */
  gzip: Buffer | null;
  br: Buffer | null;
  /** A strong validator: the SHA-256 of the body, quoted. */
  etag: string;
}

/** The whole public site at one moment. */
export interface Snapshot {
  files: ReadonlyMap<string, Artifact>;
  generatedAt: Date;
}

// Small files gain nothing from compression and cost CPU to decompress.
const compressAbove = 512;

/** How long the snapshot works before it lets requests in. */
const sliceMs = 8;

/**
 * Turns rendered files into artifacts. A file whose bytes did not change since `previous` keeps its
 * artifact (no compression redone, same ETag), so a refresh costs little when little changed. The work
 * is cut into slices of a few milliseconds, between which the server answers requests.
 */
export async function buildSnapshot(files: ReadonlyMap<string, SiteFile>, generatedAt: Date, previous?: Snapshot): Promise<Snapshot> {
  const out = new Map<string, Artifact>();
  let sliceStart = performance.now();
  for (const [path, file] of files) {
    if (performance.now() - sliceStart > sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
    const body = Buffer.from(file.body, "utf8");
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
    const before = previous?.files.get(path);
    if (before && before.etag === etag && before.contentType === file.contentType && before.cacheControl === file.cacheControl) {
      out.set(path, before);
      continue;
    }
    const compress = body.length > compressAbove;
    out.set(path, {
      contentType: file.contentType,
      cacheControl: file.cacheControl,
      body,
      gzip: compress ? gzipSync(body, { level: 6 }) : null,
      br: compress ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }) : null,
      etag,
    });
  }
  return { files: out, generatedAt };
}

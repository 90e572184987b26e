/**
 * The security headers of Vigil's answers: a Content-Security-Policy per HTML page (its inline style sheets allowed
 * by hash, scripts only from the site itself), framing refused except on the embeddable `/embed`, no referrer,
 * nosniff, and Strict-Transport-Security when configured.
 */
import { createHash } from "node:crypto";
import type { OutgoingHttpHeaders } from "node:http";

/** HSTS as configured (`server.hsts`); absent: no header. */
export interface HstsSettings {
  maxAgeSeconds: number;
  includeSubdomains: boolean;
}

/** The path of the one page other sites may put in a frame (the status widget's iframe page). */
export const embeddablePath = "/embed";

/** `'sha256-…'` sources for every inline `<style>` element of `html`. */
export function styleHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<style>([\s\S]*?)<\/style>/g)) {
    hashes.push(`'sha256-${createHash("sha256").update(match[1] ?? "", "utf8").digest("base64")}'`);
  }
  return hashes;
}

/**
 * The Content-Security-Policy of an HTML page: nothing by default; its own inline style sheets by hash; scripts
 * from the site itself when `scripts` (the pre-rendered pages load /local-time.js), none otherwise; images over
 * https or data:; forms posted only to the site; and no framing unless `embeddable`.
 */
export function htmlPolicy(html: string, options: { scripts: boolean; embeddable: boolean }): string {
  const styles = styleHashes(html);
  return [
    "default-src 'none'",
    options.scripts ? "script-src 'self'" : "",
    styles.length > 0 ? `style-src ${styles.join(" ")}` : "",
    "img-src https: data:",
    `form-action ${options.embeddable ? "'none'" : "'self'"}`,
    "base-uri 'none'",
    options.embeddable ? "" : "frame-ancestors 'none'",
  ]
    .filter((d) => d !== "")
    .join("; ");
}

/** The policy of an answer that is not a page (JSON, feeds, badges, scripts): it loads nothing and is framed nowhere. */
export const nonPagePolicy = "default-src 'none'; frame-ancestors 'none'";

/** The Strict-Transport-Security value, or undefined when off. */
export function hstsValue(hsts: HstsSettings | undefined): string | undefined {
  if (hsts === undefined) return undefined;
  return `max-age=${hsts.maxAgeSeconds}${hsts.includeSubdomains ? "; includeSubDomains" : ""}`;
}

/** Headers on every answer, page or not: nosniff, no referrer, and HSTS when configured. */
export function commonSecurityHeaders(hsts: HstsSettings | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
  const sts = hstsValue(hsts);
  if (sts !== undefined) headers["strict-transport-security"] = sts;
  return headers;
}

/** The headers of a pre-rendered HTML page at `path`: its policy, and X-Frame-Options for browsers that ignore frame-ancestors. */
export function pageSecurityHeaders(path: string, html: string): OutgoingHttpHeaders {
  const embeddable = path === embeddablePath;
  const headers: OutgoingHttpHeaders = { "content-security-policy": htmlPolicy(html, { scripts: !embeddable, embeddable }) };
  if (!embeddable) headers["x-frame-options"] = "DENY";
  return headers;
}

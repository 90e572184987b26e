/**
 * Escaping for the status page's HTML. Everything taken from the view is escaped with `esc` (it is safe in text and
 * in double-quoted attribute values alike); only the already sanitised update and postmortem HTML is inserted as is.
 */
import { trimWhere } from "../../../core/text.ts";

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** `value` escaped for HTML text and double-quoted attribute values. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

// What a browser ignores when it reads a URL: leading and trailing C0 controls and spaces, and tabs and newlines anywhere.
function normaliseUrl(url: string): string {
  return trimWhere(url, (code) => code <= 0x20).replace(/[\t\n\r]/g, "");
}

const schemePattern = /^([a-z][a-z0-9+.-]*):/i;

/**
 * `url` when it is safe as a link: http, https or mailto, or relative (no scheme); undefined otherwise (javascript:,
 * data:, vbscript: and everything else), so the caller drops the link. The result still needs `esc`.
 */
export function safeHref(url: string | null | undefined): string | undefined {
  if (typeof url !== "string") return undefined;
  const normalised = normaliseUrl(url);
  if (normalised === "") return undefined;
  const scheme = schemePattern.exec(normalised)?.[1]?.toLowerCase();
  if (scheme === undefined) return normalised.startsWith("\\") || normalised.startsWith("/\\") ? undefined : normalised;
  return scheme === "http" || scheme === "https" || scheme === "mailto" ? normalised : undefined;
}

/** `url` when it is safe as an image source: http, https, relative, or a data: URL of a raster or SVG image. */
export function safeImageSrc(url: string | null | undefined): string | undefined {
  if (typeof url !== "string") return undefined;
  const normalised = normaliseUrl(url);
  if (/^data:image\/(png|gif|jpeg|webp|avif|svg\+xml)[;,]/i.test(normalised)) return normalised;
  const href = safeHref(normalised);
  return href === undefined || /^mailto:/i.test(href) ? undefined : href;
}

/** `color` when it is a CSS hex colour (#rgb, #rgba, #rrggbb or #rrggbbaa), lower-cased; undefined otherwise. */
export function safeHexColor(color: string | null | undefined): string | undefined {
  if (typeof color !== "string") return undefined;
  return /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(color) ? color.toLowerCase() : undefined;
}

/**
 * Escaping helpers for the hand-written XML, SVG and HTML of the status page's feeds, badges and widget.
 * Everything user-written (page, component, incident names, bodies) goes through one of these.
 */

// Characters XML 1.0 forbids (C0 controls but tab, LF and CR; U+FFFE, U+FFFF; lone surrogates) plus
// DEL and the C1 controls, which XML merely discourages but no reader wants. With the `u` flag a
// well-formed surrogate pair is one code point, so only lone surrogates match the surrogate range.
const forbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF\uD800-\uDFFF]/gu;

/** `text` without control characters and other code points XML 1.0 cannot carry (tab, LF, CR stay). */
export function stripControl(text: string): string {
  return text.replace(forbidden, "");
}

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * `text` escaped for XML or HTML text and for a double- or single-quoted attribute value:
 * control characters stripped, then `& < > " '` replaced by references valid in both XML and HTML.
 */
export function escapeXml(text: string): string {
  return stripControl(text).replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/** HTML text or attribute escaping; the same rules as `escapeXml`. */
export const escapeHtml = escapeXml;

/**
 * `text` as a CDATA section, control characters stripped. A `]]>` inside would end the section, so it
 * is split across two sections (`]]` closes one, `>` opens the next): the parsed text is unchanged.
 */
export function cdata(text: string): string {
  return `<![CDATA[${stripControl(text).replaceAll("]]>", "]]]]><![CDATA[>")}]]>`;
}

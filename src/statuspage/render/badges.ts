/**
 * shields.io-style "flat" SVG badges for the public status page: the overall status, and a
 * component's status or uptime. A badge is a grey label on the left and a coloured message on the
 * right; widths come from an approximate Verdana 11px width table (as shields.io estimates them), and
 * each badge carries `role="img"`, an `aria-label` and a `<title>` for assistive technology.
 */
import type { ComponentStatus } from "../../incidents/component-status.ts";
import type { Indicator, PageView } from "../view/types.ts";
import { escapeXml } from "./xml.ts";

/** The status palette, shared by the badges and the widget. */
export const colours = {
  operational: "#2e7d32",
  degraded: "#fbc02d",
  partial: "#f57c00",
  major: "#c62828",
  maintenance: "#1565c0",
  unknown: "#6b6b6b",
  label: "#555555",
} as const;

/** The colour of an overall indicator. */
export function indicatorColour(indicator: Indicator): string {
  switch (indicator) {
    case "none":
      return colours.operational;
    case "minor":
      return colours.degraded;
    case "major":
      return colours.partial;
    case "critical":
      return colours.major;
    case "maintenance":
      return colours.maintenance;
    default:
      return colours.unknown;
  }
}

const statusColours: Record<ComponentStatus, string> = {
  operational: colours.operational,
  degraded_performance: colours.degraded,
  partial_outage: colours.partial,
  major_outage: colours.major,
  under_maintenance: colours.maintenance,
};

/** The colour of a component status (grey for one this version does not know). */
export const componentStatusColour = (status: ComponentStatus): string => statusColours[status] ?? colours.unknown;

const statusTexts: Record<ComponentStatus, string> = {
  operational: "Operational",
  degraded_performance: "Degraded Performance",
  partial_outage: "Partial Outage",
  major_outage: "Major Outage",
  under_maintenance: "Under Maintenance",
};

/** A component status as Statuspage words it: `Partial Outage`. */
export const componentStatusText = (status: ComponentStatus): string => statusTexts[status] ?? "Unknown";

/**
 * The uptime badge's colour: green from 99.9 %, yellow from 99 %, orange from 95 %, red below, grey
 * without data. An uptime badge speaks of the last 90 days, so it is coloured by uptime, not status.
 */
export function uptimeColour(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return colours.unknown;
  if (percent >= 99.9) return colours.operational;
  if (percent >= 99) return colours.degraded;
  if (percent >= 95) return colours.partial;
  return colours.major;
}

/**
 * An uptime percentage as a badge shows it: two decimals, truncated rather than rounded so that
 * 99.996 never reads as a perfect 100.00% (`99.20%`); exactly 100 is `100%`; null is `no data`.
 */
export function formatUptime(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return "no data";
  if (percent >= 100) return "100%";
  const truncated = Math.floor(Math.max(percent, 0) * 100 + 1e-6) / 100;
  return `${truncated.toFixed(2)}%`;
}

// Advance widths of Verdana's printable ASCII (U+0020–U+007E) in font units (2048 per em).
// prettier-ignore
const verdanaAscii = [
  720, 806, 940, 1716, 1303, 2223, 1493, 550, 930, 930, 1303, 1716, 745, 930, 745, 930, // space … /
  1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 930, 930, 1716, 1716, 1716, 1113, // 0 … ?
  2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 862, 931, 1423, 1145, 1751, 1538, 1609, // @ … O
  1234, 1609, 1425, 1401, 1242, 1501, 1401, 2025, 1403, 1237, 1403, 930, 930, 930, 1716, 1303, // P … _
  1303, 1230, 1276, 1067, 1276, 1220, 720, 1276, 1296, 562, 705, 1212, 562, 1992, 1296, 1243, // ` … o
  1276, 1276, 874, 1067, 807, 1296, 1212, 1675, 1212, 1212, 1079, 1300, 930, 1300, 1716, // p … ~
];
const unitsPerEm = 2048;
const fontSize = 11;

/** Whether a code point is (roughly) full-width: CJK, Hangul, full-width forms, emoji. */
const isWide = (cp: number): boolean =>
  (cp >= 0x1100 && cp <= 0x115f) ||
  (cp >= 0x2e80 && cp <= 0xa4cf) ||
  (cp >= 0xac00 && cp <= 0xd7a3) ||
  (cp >= 0xf900 && cp <= 0xfaff) ||
  (cp >= 0xfe30 && cp <= 0xfe4f) ||
  (cp >= 0xff00 && cp <= 0xff60) ||
  (cp >= 0xffe0 && cp <= 0xffe6) ||
  (cp >= 0x1f300 && cp <= 0x1faff) ||
  (cp >= 0x20000 && cp <= 0x3fffd);

/** Whether a code point takes no width: combining marks, zero-width characters, variation selectors. */
const isZeroWidth = (cp: number): boolean =>
  (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0xfeff;

/**
 * The approximate width in pixels of `text` in Verdana 11px: ASCII from Verdana's advance widths,
 * other characters estimated (full-width ones one em, the rest as wide as a digit), no kerning.
 */
export function textWidth(text: string): number {
  let units = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x20 || isZeroWidth(cp)) continue;
    units += verdanaAscii[cp - 0x20] ?? (isWide(cp) ? unitsPerEm : 1303);
  }
  return (units * fontSize) / unitsPerEm;
}

/** Relative luminance of a `#rrggbb` colour (WCAG 2). */
function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** The WCAG 2 contrast ratio of two `#rrggbb` colours, 1–21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const lightText = "#ffffff";
const darkText = "#222222";

/** The text colour for a background: white or near-black, whichever contrasts more. */
export function textColourOn(background: string): string {
  return contrastRatio(background, lightText) >= contrastRatio(background, darkText) ? lightText : darkText;
}

/** A rendered badge. */
export interface Badge {
  svg: string;
}

export interface BadgeOptions {
  /** The left-hand text; "status" for the overall badge, the component's name for a component's. */
  label?: string;
}

const horizontalPadding = 5;
const height = 20;

/** One half of a badge's text: its shadow and itself, drawn at 10× and scaled down as shields does. */
function text(content: string, centre: number, width: number, colour: string): string {
  const shadow = colour === lightText ? "#010101" : "#cccccc";
  const x = Math.round(centre * 10);
  const length = Math.round(width * 10);
  const escaped = escapeXml(content);
  return (
    `<text aria-hidden="true" x="${x}" y="150" fill="${shadow}" fill-opacity=".3" transform="scale(.1)" textLength="${length}">${escaped}</text>` +
    `<text x="${x}" y="140" transform="scale(.1)" fill="${colour}" textLength="${length}">${escaped}</text>`
  );
}

/** FNV-1a over the UTF-16 code units of `text`, in base 36: a short, deterministic fingerprint. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}

/**
 * A flat badge with `label` on grey and `message` on `colour`. Its gradient and clip path ids carry a
 * fingerprint of its content: several different badges inlined in one HTML document would otherwise
 * all use the first one's clip path (identical badges share identical definitions, which is harmless).
 */
export function renderBadge(label: string, message: string, colour: string): Badge {
  const labelTextWidth = textWidth(label);
  const messageTextWidth = textWidth(message);
  const labelWidth = Math.ceil(labelTextWidth) + 2 * horizontalPadding;
  const messageWidth = Math.ceil(messageTextWidth) + 2 * horizontalPadding;
  const width = labelWidth + messageWidth;
  const title = escapeXml(`${label}: ${message}`);
  const id = fingerprint(`${label}\u0000${message}\u0000${colour}`);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${title}">` +
    `<title>${title}</title>` +
    `<linearGradient id="s${id}" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
    `<clipPath id="r${id}"><rect width="${width}" height="${height}" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r${id})">` +
    `<rect width="${labelWidth}" height="${height}" fill="${colours.label}"/>` +
    `<rect x="${labelWidth}" width="${messageWidth}" height="${height}" fill="${colour}"/>` +
    `<rect width="${width}" height="${height}" fill="url(#s${id})"/>` +
    `</g>` +
    `<g text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">` +
    text(label, labelWidth / 2, labelTextWidth, textColourOn(colours.label)) +
    text(message, labelWidth + messageWidth / 2, messageTextWidth, textColourOn(colour)) +
    `</g>` +
    `</svg>`;
  return { svg };
}

/** The overall badge: label "status" (or `options.label`), the view's status description, coloured by its indicator. */
export function overallBadge(view: PageView, options: BadgeOptions = {}): Badge {
  return renderBadge(options.label ?? "status", view.status.description, indicatorColour(view.status.indicator));
}

/**
 * A component's badge, labelled with its name (or `options.label`): `status` shows its status text
 * coloured by status, `uptime` its 90-day uptime (`99.20%`) coloured by `uptimeColour`. Undefined for
 * an id that is not a component of the view (groups have no badge).
 */
export function componentBadge(view: PageView, componentId: string, kind: "status" | "uptime", options: BadgeOptions = {}): Badge | undefined {
  const component = view.components.find((c) => c.id === componentId);
  if (!component) return undefined;
  const label = options.label ?? component.name;
  return kind === "status"
    ? renderBadge(label, componentStatusText(component.status), componentStatusColour(component.status))
    : renderBadge(label, formatUptime(component.uptimePercent), uptimeColour(component.uptimePercent));
}

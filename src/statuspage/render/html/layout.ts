/**
 * The document around every page: head (charset, viewport, title, feeds, a data: favicon, the one inline style
 * sheet), a skip link, the header with the site's name or logo and the navigation, `<main>`, and the footer. No
 * script, no inline handler, no style attribute: a Content-Security-Policy of `default-src 'none'; style-src
 * 'sha256-…'; img-src https: data:` (the style's hash) is enough.
 */
import type { PageView } from "../../view/types.ts";
import { esc, safeHref, safeImageSrc } from "./escape.ts";
import { pageStyles } from "./styles.ts";
import { formatDateTime, isoUtc, type Zone, zoneOf } from "./time.ts";
import { withoutTrailingSlashes } from "../../../core/text.ts";

/** Site-relative paths of the pages. Ids are percent-encoded. */
export const paths = {
  home: "/",
  history: (page = 1): string => (page <= 1 ? "/history" : `/history?page=${page}`),
  incident: (id: string): string => `/incidents/${encodeURIComponent(id)}`,
  maintenance: (id: string): string => `/maintenances/${encodeURIComponent(id)}`,
  rss: "/history.rss",
  atom: "/history.atom",
  /** The subscription pages (answered per request, not pre-rendered). */
  subscribe: "/subscribe",
  confirm: "/subscriptions/confirm",
  unsubscribe: "/subscriptions/unsubscribe",
};

/** Which navigation entry is the current page. */
export type Section = "home" | "history" | "subscribe" | "other";

export interface DocumentParts {
  /** The page's own title, before the site's name; undefined on the home page. */
  title?: string;
  /** Site-relative path of this page, for the canonical link. */
  path: string;
  section: Section;
  /** The inside of `<main>`. */
  main: string;
  /** Extra `<link>`s (or `<meta>`s) for the head (already escaped). */
  headLinks?: string[];
  /**
   * A page answered per request rather than pre-rendered (the subscription pages): no script at all, and no
   * "Last updated" line, since it says nothing about the status.
   */
  dynamic?: boolean;
}

/** `<time datetime="UTC">27 Nov 2026, 14:20 CET</time>`. */
export function timeElement(date: Date, zone: Zone): string {
  return `<time datetime="${isoUtc(date)}">${esc(formatDateTime(date, zone))}</time>`;
}

/** The site's root with no trailing slash, when it is an http(s) address. */
function siteRoot(view: PageView): string | undefined {
  const url = safeHref(view.page.url);
  return url !== undefined && /^https?:\/\//i.test(url) ? withoutTrailingSlashes(url) : undefined;
}

function header(view: PageView, section: Section): string {
  const name = esc(view.page.name);
  const logo = safeImageSrc(view.page.logoUrl);
  // With a logo, the logo is the name (alt = the site's name); without one, the name is text.
  const brand = logo === undefined ? name : `<img src="${esc(logo)}" alt="${name}">`;
  const current = (s: Section) => (s === section ? ' aria-current="page"' : "");
  const items = [
    `<li><a href="${paths.home}"${current("home")}>Current status</a></li>`,
    `<li><a href="${paths.history()}"${current("history")}>History</a></li>`,
  ];
  if (view.subscribe && (view.subscribe.email || view.subscribe.webhook)) items.push(`<li><a href="${paths.subscribe}"${current("subscribe")}>Get updates</a></li>`);
  for (const link of view.page.links) {
    const href = safeHref(link.url);
    const label = typeof link.label === "string" ? link.label.trim() : "";
    if (href === undefined || label === "") continue;
    items.push(`<li><a href="${esc(href)}">${esc(label)}</a></li>`);
  }
  const description = view.page.description ? `<p class="site-description">${esc(view.page.description)}</p>` : "";
  return (
    `<header class="site-header"><div class="wrap">` +
    `<div><h1 class="site-name"><a href="${paths.home}">${brand}</a></h1>${description}</div>` +
    `<nav class="site-nav" aria-label="Site"><ul>${items.join("")}</ul></nav>` +
    `</div></header>`
  );
}

/**
 * The footer names the page's zone: every time and every day on the page is in it (with or without script), and
 * `/local-time.js` adds, beside each time, the same instant in the reader's zone, and says so here.
 */
function footer(view: PageView, zone: Zone, dynamic: boolean): string {
  // The last change of what the page says, not the render time: an unchanged page keeps its bytes and its ETag.
  const at = view.page.updatedAt;
  return (
    `<footer class="site-footer"><div class="wrap">` +
    (dynamic
      ? ""
      : `<p class="time-zone" data-time-zone="${esc(zone.id)}">Last updated ${timeElement(at, zone)}. ` +
        `Times are shown in ${esc(zone.id)} time (${esc(zone.abbreviation(at))}, ${esc(zone.offset(at))}), ` +
        `and so are the days of the uptime bars and of the incident lists.</p>`) +
    `<p>Subscribe to incident history: <a href="${paths.rss}">RSS feed</a> · <a href="${paths.atom}">Atom feed</a></p>` +
    `<p>Powered by Vigil</p>` +
    `</div></footer>`
  );
}

/** The whole document. */
export function renderDocument(view: PageView, parts: DocumentParts): string {
  const zone = zoneOf(view.page.timeZone);
  const site = view.page.name;
  const title = parts.title === undefined ? `${site} – ${view.status.description}` : `${parts.title} – ${site}`;
  const root = siteRoot(view);
  const head = [
    `<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(title)}</title>`,
    view.page.description ? `<meta name="description" content="${esc(view.page.description)}">` : "",
    `<meta name="color-scheme" content="light dark">`,
    `<link rel="icon" href="data:,">`,
    root === undefined ? "" : `<link rel="canonical" href="${esc(root + parts.path)}">`,
    `<link rel="alternate" type="application/rss+xml" title="${esc(`${site} incident history (RSS)`)}" href="${paths.rss}">`,
    `<link rel="alternate" type="application/atom+xml" title="${esc(`${site} incident history (Atom)`)}" href="${paths.atom}">`,
    ...(parts.headLinks ?? []),
    `<style>${pageStyles(view.page.accentColor)}</style>`,
    // Optional: adds the reader's own time beside each time; everything reads the same without it.
    parts.dynamic ? "" : `<script src="/local-time.js" defer></script>`,
  ].filter((line) => line !== "");
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n${head.join("\n")}\n</head>\n<body>\n` +
    `<a class="skip" href="#main">Skip to main content</a>\n` +
    `${header(view, parts.section)}\n` +
    `<main id="main" tabindex="-1"><div class="wrap">\n${parts.main}\n</div></main>\n` +
    `${footer(view, zone, parts.dynamic ?? false)}\n` +
    `</body>\n</html>\n`
  );
}

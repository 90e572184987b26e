import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";

// GitHub-flavoured Markdown, a line break for every newline (responders type updates like messages), synchronous.
const marked = new Marked({ gfm: true, breaks: true, async: false });

const linkRel = "nofollow noopener noreferrer";
const align = { name: "align", multiple: false, values: ["left", "center", "right"] };

/**
 * What an update body may keep: text structure, emphasis, code, quotes, lists, links, tables, and headings from h3
 * down (h1 and h2 become h3, so an update never outranks the page's own headings). Disallowed tags are dropped and
 * their text kept, except script, style, textarea, option and xmp, which go with their content. Links keep only href
 * and title, only http, https and mailto (or relative) URLs, and always open in a new tab without referrer or
 * endorsement; no images, styles, classes, event handlers or other attributes survive.
 */
const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: ["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"],
  allowedAttributes: { a: ["href", "title", "rel", "target"], ol: ["start"], th: [align], td: [align] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: {
    h1: "h3",
    h2: "h3",
    a: sanitizeHtml.simpleTransform("a", { rel: linkRel, target: "_blank" }),
  },
};

/**
 * An incident update body as safe HTML for the status page: `source` rendered as GitHub-flavoured Markdown with a
 * line break at every newline, raw HTML included, then cut down to an allow-list — p, br, strong, em, del, code,
 * pre, blockquote, ul, ol (start), li, a (href, title), h3–h6 (h1 and h2 become h3), hr, table, thead, tbody, tr,
 * th and td (align). Links may only be http, https, mailto or relative (a javascript:, data: or protocol-relative
 * href is removed) and get rel="nofollow noopener noreferrer" and target="_blank". Anything else is dropped with its
 * tags, its text kept, except script, style, textarea, option and xmp, whose content is dropped too.
 */
export function renderMarkdown(source: string): string {
  return sanitizeHtml(marked.parse(source, { async: false }), sanitizeOptions);
}


const entities: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

// A tag (closing or not; the sanitizer writes names in lower case) or a run of text.
const htmlToken = /<(\/?)([a-z][a-z0-9]*)\b([^>]*)>|[^<]+/g;
const blockTags: ReadonlySet<string> = new Set(["p", "h3", "h4", "h5", "h6", "blockquote", "pre", "table"]);

/**
 * An incident update body as plain text for emails, SMS and feeds: `renderMarkdown`'s HTML with every tag removed,
 * laid out as text: a blank line after each paragraph, heading, quote, code block, table, rule and outermost list; a
 * line break at each br, list item and table row; list items start with "- " (ordered ones with their number, as
 * "3. "), indented two spaces per nesting level; table cells are joined by " | "; a link whose text is not its URL is
 * written "text (url)" ("mailto:" left out) so the URL is not lost. Entities (&amp; &lt; &gt; &quot; &apos; &nbsp;
 * and numeric ones) are decoded once, trailing spaces dropped from each line, runs of blank lines collapsed into one,
 * and the whole trimmed.
 */
export function markdownToText(source: string): string {
  // Line breaks between two tags are the HTML's layout, not text (text in pre never sits between two tags).
  const html = renderMarkdown(source).replace(/>[ \t]*\n\s*</g, "><");
  const out: string[] = [];
  // One entry per open list: the next number of an ordered list, null for a bulleted one.
  const lists: (number | null)[] = [];
  let itemStart = false;
  let firstCell = true;
  let link: { href: string | null; from: number } | null = null;
  // A line break unless the text already ends a line, so a nested list closing with its item adds no blank line.
  const endLine = (): string => (out.findLast((part) => part !== "")?.endsWith("\n") === false ? "\n" : "");

  for (const [token, closing, tag, attributes] of html.matchAll(htmlToken)) {
    if (tag === undefined) {
      const text = decode(token);
      out.push(itemStart ? text.trimStart() : text);
      itemStart = false;
      continue;
    }
    const open = closing === "";
    if (tag === "ul" || tag === "ol") {
      if (open) lists.push(tag === "ol" ? Number(/\bstart="(\d+)"/.exec(attributes ?? "")?.[1] ?? 1) : null);
      else lists.pop();
      out.push(open ? endLine() : lists.length === 0 ? "\n\n" : "");
    } else if (tag === "li") {
      const number = lists.at(-1) ?? null;
      if (open && number !== null) lists[lists.length - 1] = number + 1;
      out.push(open ? `${"  ".repeat(Math.max(lists.length - 1, 0))}${number === null ? "-" : `${number}.`} ` : endLine());
      itemStart = open;
    } else if (tag === "tr") {
      firstCell = true;
      if (!open) out.push("\n");
    } else if (tag === "th" || tag === "td") {
      if (open && !firstCell) out.push(" | ");
      firstCell = false;
    } else if (tag === "br") {
      out.push("\n");
    } else if (tag === "hr" || (blockTags.has(tag) && !open)) {
      out.push("\n\n");
    } else if (tag === "a" && open) {
      const href = /\bhref="([^"]*)"/.exec(attributes ?? "")?.[1];
      link = { href: href === undefined ? null : decode(href), from: out.length };
    } else if (tag === "a" && link !== null) {
      const label = out.splice(link.from).join("");
      out.push(link.href === null ? label : linkText(label, link.href));
      link = null;
    }
  }
  return out
    .join("")
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

// A link as text: its label, then the URL in parentheses unless the label already says it.
function linkText(label: string, href: string): string {
  const address = href.replace(/^mailto:/i, "");
  const bare = label.trim();
  if (bare === "") return address;
  if ([bare, `mailto:${bare}`, `http://${bare}`, `https://${bare}`].includes(href)) return label;
  return `${label} (${address})`;
}

// Entities decoded in one pass, so "&amp;lt;" becomes "&lt;" and not "<"; unknown ones stay as written.
function decode(html: string): string {
  return html.replace(/&(?:#(\d+)|#x([0-9a-f]+)|([a-z]+));/gi, (match: string, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name !== undefined) {
      const key = name.toLowerCase();
      return Object.hasOwn(entities, key) ? (entities[key] ?? match) : match;
    }
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? "", 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

/**
 * Reading a feed's body into a tree: JSON, or XML with a parser configured not to trust it. A body that cannot be read
 * is a FeedParseError saying what was expected and what was found instead (an HTML page, JSON, malformed XML with the
 * line and column), never quoting the body beyond a tag name.
 *
 * XML, defensively (fast-xml-parser):
 * - well-formedness is checked first (XMLValidator), so a broken document fails with its line and column rather than
 *   being half-read;
 * - entities: only the five XML ones (`&lt;` `&gt;` `&amp;` `&quot;` `&apos;`) and character references (`&#8217;`)
 *   are decoded, by our own decoder. Entities a DOCTYPE declares are never expanded — they stay as written — so an
 *   entity bomb ("billion laughs") costs nothing; nor are external entities ever fetched (the parser has no I/O);
 * - values stay strings (no number guessing: a guid "00012" stays "00012"); attributes are kept (`@_name`);
 * - nesting is bounded by the parser (100 levels), and an element named `__proto__` (or another name that could
 *   pollute prototypes) is refused by it: FeedParseError.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { FeedParseError } from "../types.ts";
import { cleanText } from "./sanitize.ts";

const bom = /^\uFEFF/;

/** What a body that is not the expected format looks like, for the error: "an HTML page", "JSON", "XML"… */
function lookOf(body: string): string | undefined {
  const start = body.slice(0, 2_048).replace(/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*/i, "");
  if (/^<!doctype\s+html[\s>]/i.test(start) || /^<html[\s>]/i.test(start)) return "an HTML page";
  if (/^\s*[[{]/.test(body)) return "JSON";
  if (/^\s*</.test(body)) return "XML";
  return undefined;
}

/** The error message of a library, made safe to show: one line, bounded. */
function reason(error: unknown): string {
  return cleanText(error instanceof Error ? error.message : String(error), 200);
}

/** The body parsed as JSON, or FeedParseError naming `expected` ("Statuspage's summary.json", "JSON"). */
export function readJson(body: string, expected: string): unknown {
  const text = body.replace(bom, "");
  if (text.trim() === "") throw new FeedParseError(`the body is empty; expected ${expected}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const look = lookOf(text);
    // The parser's own message quotes the body, so it is not passed on.
    throw new FeedParseError(`the body is not valid JSON; expected ${expected}${look !== undefined && look !== "JSON" ? `, got ${look}` : ""}`);
  }
}

/** A parsed XML element: attributes under `@_name`, text under `#text` when there are attributes or children. */
export type XmlNode = Record<string, unknown>;

const xmlEntities: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const entityPattern = /&(?:([a-z]+)|#(\d{1,7})|#x([0-9a-f]{1,6}));/gi;

/** A code point an XML document may carry (no NUL, no lone surrogate, in range). */
function allowedCodePoint(cp: number): boolean {
  return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
}

/**
 * The decoder the parser uses for every text and attribute value: the five XML entities and character references,
 * in a single pass (`&amp;lt;` reads `&lt;`); any other `&name;` is left as written. Entities declared in a DOCTYPE
 * are handed to `addInputEntities`, which ignores them.
 */
const basicEntities = {
  setExternalEntities: (): void => {},
  addInputEntities: (): void => {},
  reset: (): void => {},
  setXmlVersion: (): void => {},
  decode: (text: string): string =>
    text.indexOf("&") === -1
      ? text
      : text.replace(entityPattern, (whole, name: string | undefined, dec: string | undefined, hex: string | undefined) => {
          if (name !== undefined) return Object.hasOwn(xmlEntities, name) ? (xmlEntities[name] as string) : whole;
          const cp = dec !== undefined ? Number(dec) : Number.parseInt(hex ?? "", 16);
          return allowedCodePoint(cp) ? String.fromCodePoint(cp) : whole;
        }),
};

/** Elements read as lists wherever they are, so one and many look the same. */
const listTags = new Set(["item", "entry", "link", "category"]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: { enabled: true, maxEntityCount: 100, maxEntitySize: 1_000 },
  htmlEntities: false,
  entityDecoder: basicEntities,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  cdataPropName: false,
  maxNestedTags: 100,
  isArray: (name) => listTags.has(name),
});

/**
 * The body parsed as XML, with its root element: `roots` are the root element names the format accepts, and
 * `expected` names the format for errors ("an RSS feed").
 */
export function readXml(body: string, expected: string, roots: readonly string[]): { root: string; node: XmlNode } {
  const text = body.replace(bom, "");
  if (text.trim() === "") throw new FeedParseError(`the body is empty; expected ${expected}`);
  const look = lookOf(text);
  if (look === "an HTML page" || look === "JSON") throw new FeedParseError(`expected ${expected}, got ${look}`);
  const check = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (check !== true) {
    const { msg, line, col } = check.err;
    const where = [line !== undefined ? `line ${line}` : "", col !== undefined ? `column ${col}` : ""].filter(Boolean).join(", ");
    throw new FeedParseError(`expected ${expected}, but the body is not well-formed XML: ${cleanText(msg, 200)}${where ? ` (${where})` : ""}`);
  }
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (error) {
    throw new FeedParseError(`expected ${expected}, but the XML could not be read: ${reason(error)}`);
  }
  const rootName = typeof doc === "object" && doc !== null ? Object.keys(doc).find((k) => !k.startsWith("?") && !k.startsWith("#")) : undefined;
  if (rootName === undefined) throw new FeedParseError(`expected ${expected}, but the XML has no root element`);
  if (!roots.includes(rootName)) {
    const wanted = roots.map((r) => `<${r}>`).join(" or ");
    const found = rootName.toLowerCase() === "html" ? "an HTML page" : `<${cleanText(rootName, 60)}>`;
    throw new FeedParseError(`expected ${expected} (a ${wanted} root element), got ${found}`);
  }
  const node = (doc as XmlNode)[rootName];
  return { root: rootName, node: isNode(node) ? node : {} };
}

/** True for an element parsed into an object (it has attributes or children). */
export function isNode(value: unknown): value is XmlNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The values of `value` as a list: a list as is, nothing as [], one value as [value]. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

/** The child `name` of an element (the first one when repeated). */
export function child(node: unknown, name: string): unknown {
  return isNode(node) ? list(node[name])[0] : undefined;
}

/** An element's text: the string itself, or its `#text` when it has attributes; undefined when it has none. */
export function textOf(value: unknown): string | undefined {
  if (Array.isArray(value)) return textOf(value[0]);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (isNode(value)) return textOf(value["#text"]);
  return undefined;
}

/** The attribute `name` of an element, or undefined. */
export function attr(value: unknown, name: string): string | undefined {
  const node = Array.isArray(value) ? value[0] : value;
  if (!isNode(node)) return undefined;
  const v = node[`@_${name}`];
  return typeof v === "string" ? v : undefined;
}

/** Elements whose content is not text a reader sees. */
const hiddenElements = new Set(["script", "style", "noscript", "template", "iframe", "object", "textarea", "head", "title"]);

/**
 * All the text under an element, depth first, for markup carried as elements (Atom's `type="xhtml"`): at most
 * `budget` characters, so a deep or wide tree costs no more than its text. Script, style and the like are left out.
 */
export function deepText(value: unknown, budget = 100_000): string {
  const parts: string[] = [];
  let left = budget;
  const walk = (v: unknown): void => {
    if (left <= 0) return;
    if (typeof v === "string") {
      parts.push(v.slice(0, left));
      left -= v.length;
    } else if (Array.isArray(v)) {
      for (const x of v) walk(x);
    } else if (isNode(v)) {
      for (const [k, x] of Object.entries(v)) if (!k.startsWith("@_") && !hiddenElements.has(k.replace(/^.*:/, "").toLowerCase())) walk(x);
    }
  };
  walk(value);
  return parts.join(" ");
}

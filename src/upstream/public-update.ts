/**
 * The public update Vigil posts on a published incident when `incidents.publish_upstream` is on: it names the provider
 * and quotes its incident's title and link. Pure.
 */

/** What a public update says about the provider. */
export interface UpstreamMention {
  upstreamName: string;
  /** The provider's incident title, from its feed. */
  title: string | null;
  /** The provider's incident page, from its feed. */
  url: string | null;
}

/**
 * The Markdown body of the public update naming the likely upstream cause. The provider's text is someone else's: it
 * is shown literally (no links, images, HTML or formatting of its own), so a feed cannot put a phishing link or a
 * tracking pixel on our page in our name. The link to the provider's page is shown as text too.
 */
export function upstreamUpdateBody(a: UpstreamMention): string {
  const what = a.title === null ? "reports a problem" : `reports: ${markdownLiteral(a.title)}`;
  return `Our provider ${markdownLiteral(a.upstreamName)} ${what}. This is the likely cause; we are following their updates${a.url ? ` (${markdownLiteral(a.url)})` : ""}.`;
}

/**
 * `text` as Markdown that renders as exactly that text, on one line (so nothing in it starts a line: no heading, list
 * or quote): the characters of links, images, HTML, entities, emphasis, code, strikethrough and tables are
 * backslash-escaped, and so are the parts of bare URLs and e-mail addresses that GitHub-flavoured Markdown would turn
 * into links (`https://`, `www.`, `@`).
 */
export function markdownLiteral(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .replace(/[\\`*_[\]<>|~&@]/g, "\\$&")
    .replace(/:(?=\/\/)/g, "\\:")
    .replace(/\b(www)\./gi, "$1\\.");
}

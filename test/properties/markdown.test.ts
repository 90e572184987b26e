/**
 * Property tests of the Markdown renderer: whatever a responder (or someone with a leaked token) writes, the HTML keeps
 * only the allow-listed tags and attributes, no script, no event handler and no link but http, https, mailto or
 * relative; the plain text never throws and adds no javascript: link of its own.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { markdownToText, renderMarkdown } from "../../src/incidents/markdown.ts";

const allowedTags = new Set(["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td"]);
const allowedAttributes = new Set(["href", "title", "rel", "target", "start", "align"]);

/** Fragments of Markdown and HTML that attacks are made of, mixed with arbitrary text. */
const hostile = fc
  .array(
    fc.oneof(
      { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          "<script>", "</script>", "<script src=x>", "<SCRIPT>", "<scr<script>ipt>", "<svg onload=alert(1)>", "<img src=x onerror=alert(1)>",
          "<a href=\"", "\">", "</a>", "<a href='javascript:alert(1)'>", "<a href=javascript:alert(1)>", "<iframe src=", "<style>", "<textarea>",
          "javascript:", "JaVaScRiPt:", "jav&#x09;ascript:", "jav&#97;script:", "&#106;avascript:", "java\nscript:", "vbscript:", "data:text/html,",
          " onclick=", " onmouseover=\"", "onerror=", "[x](", "](", ")", "[", "]", "![i](", "<", ">", "\"", "'", "`", "```\n", "\n", "\n\n", "  \n",
          "# ", "## ", "> ", "- ", "1. ", "| a | b |\n|---|---|\n", "**", "_", "~~", "<!--", "-->", "<![CDATA[", "&", "&amp;", "&lt;", "&#0;", "\u0000",
          "http://acme.example/", "mailto:a@acme.example", "//evil.example", "<p onclick=x>", "<h1 onclick=x>", "<ol start=\"3\" onclick=x>", "<td align=left onclick=x>",
        ),
      },
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

const source = fc.oneof(hostile, fc.string({ maxLength: 300 }), fc.string({ maxLength: 100, unit: "binary" }));

/** What a tag's attributes are, as the browser would read them from the sanitiser's output. */
function attributesOf(text: string): { name: string; value: string }[] {
  return [...text.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)].map((m) => ({ name: m[1]?.toLowerCase() ?? "", value: m[2] ?? m[3] ?? m[4] ?? "" }));
}

/** An href's scheme once entities and the characters a browser ignores are taken out. */
function schemeOf(href: string): string | null {
  const decoded = href
    .replace(/&#x([0-9a-f]+);?/gi, (_m, h: string) => String.fromCodePoint(Number.parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&colon;/gi, ":")
    .replace(/&amp;/gi, "&")
    .replace(/[\u0000-\u0020]/g, "");
  return /^([a-z][a-z0-9+.-]*):/i.exec(decoded)?.[1]?.toLowerCase() ?? null;
}

describe("renderMarkdown properties", () => {
  it("keeps only allowed tags and attributes: no script, no event handler, no javascript: or data: link", () => {
    fc.assert(
      fc.property(source, (text) => {
        const html = renderMarkdown(text);
        expect(html).not.toMatch(/<script/i);
        for (const [, closing, name, rest] of html.matchAll(/<(\/?)([a-zA-Z][^\s/>]*)([^>]*)>/g)) {
          expect(allowedTags.has(name ?? "")).toBe(true);
          if (closing === "/") continue;
          for (const attribute of attributesOf(rest ?? "")) {
            expect(attribute.name.startsWith("on")).toBe(false);
            expect(allowedAttributes.has(attribute.name)).toBe(true);
            if (attribute.name === "href") expect([null, "http", "https", "mailto"]).toContain(schemeOf(attribute.value));
          }
        }
        // Text a reader sees never holds a raw "<": the only tags are those checked above.
        expect(html.replace(/<(\/?)([a-zA-Z][^\s/>]*)([^>]*)>/g, "")).not.toContain("<");
      }),
      { seed: 4242, numRuns: 2000 },
    );
  });
});

describe("markdownToText properties", () => {
  it("never throws, and writes no javascript: or data: link the source did not spell out", () => {
    fc.assert(
      fc.property(source, (text) => {
        const plain = markdownToText(text);
        expect(typeof plain).toBe("string");
        const spelled = /javascript:|data:/i.test(text) || text.includes("&");
        if (!spelled) expect(plain).not.toMatch(/\((?:javascript|data):/i);
      }),
      { seed: 4243, numRuns: 2000 },
    );
  });
});

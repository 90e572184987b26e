import { describe, expect, it } from "vitest";
import { FeedParseError } from "../types.ts";
import { child, deepText, readJson, readXml, textOf } from "./read.ts";

const errorOf = (fn: () => unknown): FeedParseError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof FeedParseError) return error;
    throw error;
  }
  throw new Error("expected a FeedParseError");
};

describe("readXml", () => {
  it("reports malformed XML with the parser's reason, line and column", () => {
    const body = `<?xml version="1.0"?>\n<rss version="2.0">\n<channel>\n<item><title>x</title>\n</channel>\n</rss>`;
    const error = errorOf(() => readXml(body, "an RSS feed", ["rss"]));
    expect(error.message).toMatch(/^expected an RSS feed, but the body is not well-formed XML: Expected closing tag 'item' .*\(line 5, column \d+\)$/);
  });

  it("says an HTML page is one", () => {
    const body = `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Login</title></head><body><p>Please sign in</body></html>`;
    expect(errorOf(() => readXml(body, "an RSS feed", ["rss"])).message).toBe("expected an RSS feed, got an HTML page");
    const xhtml = `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>hi</p></body></html>`;
    expect(errorOf(() => readXml(xhtml, "an RSS feed", ["rss"])).message).toBe("expected an RSS feed, got an HTML page");
  });

  it("names the root element it found instead", () => {
    const error = errorOf(() => readXml(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>`, "an RSS feed", ["rss", "rdf:RDF"]));
    expect(error.message).toBe("expected an RSS feed (a <rss> or <rdf:RDF> root element), got <feed>");
  });

  it("says JSON and empty bodies are not XML", () => {
    expect(errorOf(() => readXml(`{"components":[]}`, "an Atom feed", ["feed"])).message).toBe("expected an Atom feed, got JSON");
    expect(errorOf(() => readXml("  \n", "an Atom feed", ["feed"])).message).toBe("the body is empty; expected an Atom feed");
    expect(errorOf(() => readXml("plain text", "an Atom feed", ["feed"])).message).toMatch(/not well-formed XML/);
  });

  it("decodes the five XML entities and character references once, and nothing else", () => {
    const { node } = readXml(`<r><t a="x&amp;y">&lt;b&gt; &amp;lt; &quot;&apos; &#8217;&#x41; &nbsp; &#0; &#xD800; &constructor; &toString;</t></r>`, "XML", ["r"]);
    expect(textOf(child(node, "t"))).toBe(`<b> &lt; "' \u2019A &nbsp; &#0; &#xD800; &constructor; &toString;`);
  });

  it("keeps values as text (no number guessing) and attributes", () => {
    const { node } = readXml(`<r><guid isPermaLink="false">00012</guid><n>1e3</n></r>`, "XML", ["r"]);
    expect(textOf(child(node, "guid"))).toBe("00012");
    expect(textOf(child(node, "n"))).toBe("1e3");
    expect((child(node, "guid") as Record<string, unknown>)["@_isPermaLink"]).toBe("false");
  });

  it("never expands entities a DOCTYPE declares", () => {
    const body = `<?xml version="1.0"?>
<!DOCTYPE r [
  <!ENTITY greeting "hello">
]>
<r><a>&greeting;</a></r>`;
    const { node } = readXml(body, "XML", ["r"]);
    expect(textOf(child(node, "a"))).toBe("&greeting;");
  });

  it("refuses external entities (nothing is ever fetched or read)", () => {
    const body = `<?xml version="1.0"?>\n<!DOCTYPE r [\n  <!ENTITY secret SYSTEM "file:///etc/passwd">\n]>\n<r><b>&secret;</b></r>`;
    expect(errorOf(() => readXml(body, "an RSS feed", ["r"])).message).toBe("expected an RSS feed, but the XML could not be read: External entities are not supported");
  });

  it("refuses elements that could pollute prototypes", () => {
    expect(errorOf(() => readXml(`<r><__proto__><polluted>1</polluted></__proto__></r>`, "XML", ["r"])).message).toMatch(/^expected XML, but the XML could not be read: \[SECURITY\] Invalid name: "__proto__"/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("reads the text of markup carried as elements, without script", () => {
    const { node } = readXml(`<r><div><p>One <b>two</b></p><script>alert(1)</script><p>three</p></div></r>`, "XML", ["r"]);
    const text = deepText(child(node, "div"));
    expect(text).toContain("One");
    expect(text).toContain("two");
    expect(text).toContain("three");
    expect(text).not.toContain("alert");
  });
});

describe("readJson", () => {
  it("parses JSON", () => {
    expect(readJson(`\uFEFF{"a":[1]}`, "JSON")).toEqual({ a: [1] });
  });

  it("says what the body is instead, without quoting it", () => {
    const html = errorOf(() => readJson("<!doctype html><html><body>secret-token-123</body></html>", "Statuspage's summary.json"));
    expect(html.message).toBe("the body is not valid JSON; expected Statuspage's summary.json, got an HTML page");
    const broken = errorOf(() => readJson(`{"components": [secret-token-123`, "JSON"));
    expect(broken.message).toBe("the body is not valid JSON; expected JSON");
    expect(broken.message).not.toContain("secret");
    expect(errorOf(() => readJson("", "JSON")).message).toBe("the body is empty; expected JSON");
  });
});

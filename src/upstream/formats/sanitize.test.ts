import { describe, expect, it } from "vitest";
import { cap, cleanText, httpLink, maxText, parseDate, pickDate, plainText } from "./sanitize.ts";

describe("plainText", () => {
  it("drops tags, keeps their text, and drops script and style with their content", () => {
    const html = `<p>We are <b>investigating</b>.</p><script>alert(document.cookie)</script><style>p{color:red}</style><p onclick="x()">More <a href="javascript:alert(1)">here</a>.</p>`;
    expect(plainText(html)).toBe("We are investigating. More here.");
  });

  it("decodes entities once, so the result is text and not HTML", () => {
    expect(plainText("a &amp; b &lt;script&gt; &amp;lt; &quot;q&quot; &#8217; &nbsp;end")).toBe("a & b <script> &lt; \"q\" \u2019 end");
  });

  it("separates blocks and collapses whitespace", () => {
    expect(plainText("<p>One</p><p>Two</p><ul><li>a</li><li>b</li></ul>line<br>break\n\n\t  x")).toBe("One Two a b line break x");
  });

  it("caps at 2,000 characters, ending with an ellipsis", () => {
    const out = plainText(`<p>${"word ".repeat(1_000)}</p>`);
    expect(out.length).toBeLessThanOrEqual(maxText);
    expect(out.endsWith("…")).toBe(true);
  });

  it("reads nothing from what is not a string", () => {
    expect(plainText(undefined)).toBe("");
    expect(plainText({ toString: () => "<b>x</b>" })).toBe("");
  });
});

describe("cleanText", () => {
  it("drops control and bidi-override characters and collapses whitespace, without touching markup-like text", () => {
    expect(cleanText("Checkout\u0000 <beta>\u202E\r\n  API\u0007")).toBe("Checkout <beta> API");
  });

  it("caps titles at 300 characters by default", () => {
    expect(cleanText("x".repeat(1_000))).toHaveLength(300);
  });

  it("never cuts a surrogate pair in half", () => {
    const out = cap(`${"a".repeat(8)}😀😀`, 10);
    expect(out).toBe(`${"a".repeat(8)}…`);
    expect(cap("short", 10)).toBe("short");
  });
});

describe("httpLink", () => {
  it("keeps http and https URLs", () => {
    expect(httpLink("https://status.aws.amazon.com/")).toBe("https://status.aws.amazon.com/");
    expect(httpLink("  http://example.com/a?b=1  ")).toBe("http://example.com/a?b=1");
  });

  it("resolves relative links against the feed's URL", () => {
    expect(httpLink("/incidents/abc", "https://status.example.com/history.rss")).toBe("https://status.example.com/incidents/abc");
  });

  it.each([
    "javascript:alert(1)",
    "  JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.com/",
    "https://status.aws.amazon.com@evil.example/",
    "https://user:pass@example.com/",
    `https://example.com/${"a".repeat(2_100)}`,
    "",
  ])("drops %j", (value) => {
    expect(httpLink(value, "https://status.example.com/")).toBeNull();
  });

  it("does not let a relative link smuggle a scheme", () => {
    expect(httpLink("javascript:alert(1)", "https://status.example.com/")).toBeNull();
    expect(httpLink(42)).toBeNull();
  });
});

describe("parseDate", () => {
  const at = (iso: string) => new Date(iso).getTime();

  it.each([
    ["Fri, 27 Nov 2026 13:25:00 +0000", "2026-11-27T13:25:00Z"],
    ["Fri, 27 Nov 2026 13:25:00 GMT", "2026-11-27T13:25:00Z"],
    ["Fri, 27 Nov 2026 05:12:00 PST", "2026-11-27T13:12:00Z"],
    ["Fri, 27 Nov 2026 06:12:00 PDT", "2026-11-27T13:12:00Z"],
    ["27 Nov 2026 14:25 +0100", "2026-11-27T13:25:00Z"],
    ["Fri, 27 Nov 26 13:25:00 Z", "2026-11-27T13:25:00Z"],
    ["Friday, 27 November 2026 13:25:00 UT", "2026-11-27T13:25:00Z"],
  ])("reads RFC 822 %j", (text, iso) => {
    expect(parseDate(text)?.getTime()).toBe(at(iso));
  });

  it.each([
    ["2026-11-27T13:20:06Z", "2026-11-27T13:20:06Z"],
    ["2026-11-27T13:20:06.123Z", "2026-11-27T13:20:06.123Z"],
    ["2026-11-27T14:20:06+01:00", "2026-11-27T13:20:06Z"],
    ["2026-11-27T14:20:06+0100", "2026-11-27T13:20:06Z"],
    ["2026-11-27 13:20:06", "2026-11-27T13:20:06Z"],
    ["2026-11-27T13:20:06.123456789Z", "2026-11-27T13:20:06.123Z"],
    ["2026-11-27", "2026-11-27T00:00:00Z"],
  ])("reads ISO 8601 %j (no zone is UTC)", (text, iso) => {
    expect(parseDate(text)?.getTime()).toBe(at(iso));
  });

  it("reads epoch seconds and milliseconds, as numbers or text", () => {
    expect(parseDate(1_795_785_120)?.toISOString()).toBe("2026-11-27T13:12:00.000Z");
    expect(parseDate(1_795_785_120_000)?.toISOString()).toBe("2026-11-27T13:12:00.000Z");
    expect(parseDate("1795785120")?.toISOString()).toBe("2026-11-27T13:12:00.000Z");
    expect(parseDate("1795785120000")?.toISOString()).toBe("2026-11-27T13:12:00.000Z");
  });

  it.each(["yesterday", "2", "Nov 27 2026", "2026-02-31T00:00:00Z", "Sat, 31 Feb 2026 10:00:00 GMT", "2026-11-27T25:00:00Z", "", "27 Foo 2026 10:00 GMT", -5, Number.NaN, {}])(
    "rejects %j (no Date.parse guessing)",
    (value) => {
      expect(parseDate(value)).toBeUndefined();
    },
  );
});

describe("pickDate", () => {
  const now = new Date("2026-11-27T18:00:00Z");

  it("takes the first readable date", () => {
    expect(pickDate([undefined, "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z"], now)?.toISOString()).toBe("2026-11-27T10:00:00.000Z");
  });

  it("dates a record without any date now", () => {
    expect(pickDate([undefined, null, "  "], now)).toBe(now);
  });

  it("gives up (the record is skipped) when a date is written but unreadable", () => {
    expect(pickDate(["the other day", undefined], now)).toBeUndefined();
  });
});

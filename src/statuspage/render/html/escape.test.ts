import { describe, expect, it } from "vitest";
import { esc, safeHexColor, safeHref, safeImageSrc } from "./escape.ts";

describe("esc", () => {
  it("escapes the five characters that matter in text and quoted attributes", () => {
    expect(esc(`Checkout <beta> & "friends" 'n' co`)).toBe("Checkout &lt;beta&gt; &amp; &quot;friends&quot; &#39;n&#39; co");
  });

  it("escapes already escaped text again (the view holds text, not HTML)", () => {
    expect(esc("&lt;")).toBe("&amp;lt;");
  });
});

describe("safeHref", () => {
  it.each(["https://example.com/a?b=1&c=2", "http://e.com", "mailto:ops@e.com", "/history", "#main", "docs/page", "?page=2"])("keeps %s", (url) => {
    expect(safeHref(url)).toBe(url);
  });

  it.each([
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "  javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\u0001javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "\\\\evil.example.com",
    "",
    "   ",
  ])("drops %j", (url) => {
    expect(safeHref(url)).toBeUndefined();
  });

  it("drops what is not a string", () => {
    expect(safeHref(null)).toBeUndefined();
    expect(safeHref(undefined)).toBeUndefined();
  });

  it("trims what a browser would ignore", () => {
    expect(safeHref("  https://e.com/x \n")).toBe("https://e.com/x");
  });
});

describe("safeImageSrc", () => {
  it("keeps http(s), relative and data: images", () => {
    expect(safeImageSrc("https://e.com/logo.svg")).toBe("https://e.com/logo.svg");
    expect(safeImageSrc("/logo.png")).toBe("/logo.png");
    expect(safeImageSrc("data:image/png;base64,AAAA")).toBe("data:image/png;base64,AAAA");
  });

  it("drops script URLs, other data: URLs and mailto", () => {
    expect(safeImageSrc("javascript:alert(1)")).toBeUndefined();
    expect(safeImageSrc("data:text/html,x")).toBeUndefined();
    expect(safeImageSrc("mailto:a@b.c")).toBeUndefined();
  });
});

describe("safeHexColor", () => {
  it.each(["#abc", "#ABCD", "#2563eb", "#2563EB80"])("accepts %s", (c) => {
    expect(safeHexColor(c)).toBe(c.toLowerCase());
  });

  it.each(["#abcde", "#1234567", "red", "#2563eb;}body{display:none", "2563eb", "", "#gggggg"])("rejects %j", (c) => {
    expect(safeHexColor(c)).toBeUndefined();
  });
});

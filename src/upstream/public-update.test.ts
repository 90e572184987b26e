import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../incidents/markdown.ts";
import { upstreamUpdateBody } from "./public-update.ts";

describe("upstreamUpdateBody", () => {
  it("reads an ordinary title and link as text", () => {
    const body = upstreamUpdateBody({ upstreamName: "Amazon RDS (Oregon)", title: "Service disruption: Database instances unavailable", url: "https://status.aws.example/rds-us-west-2" });
    expect(renderMarkdown(body)).toBe(
      "<p>Our provider Amazon RDS (Oregon) reports: Service disruption: Database instances unavailable. This is the likely cause; we are following their updates (https://status.aws.example/rds-us-west-2).</p>\n",
    );
  });

  it.each([
    ["a Markdown link", "[Click here to fix it](https://evil.example/phish)"],
    ["an image", "![pixel](https://evil.example/track.png)"],
    ["raw HTML", '<a href="https://evil.example">hi</a><img src=x onerror=alert(1)><b>bold</b>'],
    ["an autolink", "<https://evil.example/x>"],
    ["a bare URL", "see https://evil.example/x and www.evil.example"],
    ["an e-mail address", "write to help@evil.example"],
    ["emphasis and code", "**urgent** _now_ ~~gone~~ `code`"],
    ["an entity", "&lt;b&gt; &amp; &#x3C;"],
    ["a heading, a list and a table on new lines", "x\n# Heading\n- item\n| a | b |\n|---|---|"],
    ["a backslash", "C:\\temp\\ \\*"],
  ])("shows %s in the provider's title literally: no links, images, HTML or formatting", (_what, title) => {
    const html = renderMarkdown(upstreamUpdateBody({ upstreamName: "Mail provider", title, url: "https://status.mail.example/i/1?x=<b>" }));
    expect(html).not.toMatch(/<(a|img|b|strong|em|del|code|h\d|ul|li|table)\b/);
    const text = html.replace(/<\/?p>|\n/g, "").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&amp;", "&");
    expect(text).toContain(title.replace(/\s+/g, " "));
    expect(text).toContain("https://status.mail.example/i/1?x=<b>");
  });
});

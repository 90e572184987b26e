import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { samplePageView } from "../../../test/helpers/page-view.ts";
import type { PageView } from "../view/types.ts";
import { colours } from "./badges.ts";
import { jsonForScript, widgetIframeHtml, widgetScript } from "./widget.ts";

const evilText = `</script><script>alert(1)</script><!-- & \u2028 "quotes" 'single'`;

function evilView(): PageView {
  const view = samplePageView();
  return {
    ...view,
    page: { ...view.page, name: `Acme */ </script> <b>` },
    status: { ...view.status, description: evilText },
  };
}

/** A fake element: records what the script does and refuses innerHTML/outerHTML. */
class FakeElement {
  attributes: Record<string, string> = {};
  children: FakeElement[] = [];
  style = { cssText: "" };
  textContent = "";
  href = "";
  target = "";
  rel = "";
  title = "";
  constructor(readonly tagName: string) {}
  setAttribute(name: string, value: string) {
    this.attributes[name] = String(value);
  }
  appendChild(child: FakeElement) {
    this.children.push(child);
    return child;
  }
  set innerHTML(_: string) {
    throw new Error("innerHTML used");
  }
  set outerHTML(_: string) {
    throw new Error("outerHTML used");
  }
}

/** Runs the widget script in a fresh global context with a fake DOM around its script tag. */
function run(script: string, currentScript: "present" | "absent" = "present") {
  const inserted: { node: FakeElement; before: unknown }[] = [];
  const next = { nextSibling: true };
  const tag = { parentNode: { insertBefore: (node: FakeElement, before: unknown) => inserted.push({ node, before }) }, nextSibling: next };
  const document = { currentScript: currentScript === "present" ? tag : null, createElement: (name: string) => new FakeElement(name) };
  const sandbox: Record<string, unknown> = { document };
  runInNewContext(script, sandbox);
  return { inserted, next, sandbox };
}

describe("jsonForScript", () => {
  it("keeps </script>, <!-- and line separators out and round-trips", () => {
    const out = jsonForScript({ text: evilText });
    expect(out).not.toMatch(/<|>|&|\u2028/);
    expect(out).toContain("\\u003c/script\\u003e");
    expect(JSON.parse(out)).toEqual({ text: evilText });
  });
});

describe("widgetScript", () => {
  const view = samplePageView();
  const script = widgetScript(view);

  it("is one IIFE in strict mode", () => {
    const code = script.replace(/^\/\*[^\n]*\*\/\n/, "");
    expect(code.startsWith('(function () {\n  "use strict";')).toBe(true);
    expect(code.trimEnd().endsWith("})();")).toBe(true);
  });

  it("bakes in the status, makes no network calls and writes no HTML", () => {
    expect(script).toContain('"text":"Major System Outage"');
    expect(script).toContain('"url":"https://status.example.com"');
    expect(script).toContain("document.currentScript");
    expect(script).toContain(".textContent = d.text");
    for (const banned of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "fetch(", "XMLHttpRequest", "import(", "eval("]) {
      expect(script).not.toContain(banned);
    }
  });

  it("inserts after its script tag a link pill with a coloured dot and the status text", () => {
    const { inserted, next } = run(script);
    expect(inserted).toHaveLength(1);
    const { node: a, before } = inserted[0]!;
    expect(before).toBe(next);
    expect(a.tagName).toBe("a");
    expect(a.href).toBe("https://status.example.com");
    expect(a.rel).toBe("noopener");
    expect(a.title).toBe("Acme Status: Major System Outage");
    expect(a.attributes["aria-label"]).toBe("Acme Status: Major System Outage");
    const [dot, text] = a.children as [FakeElement, FakeElement];
    expect(dot.attributes["aria-hidden"]).toBe("true");
    expect(dot.style.cssText).toContain(`background:${colours.major}!important`);
    expect(text.textContent).toBe("Major System Outage");
    expect(a.style.cssText).toContain("text-decoration:none!important");
    expect(a.style.cssText).toContain("all:initial!important");
  });

  it("colours the dot by indicator", () => {
    const ok = widgetScript({ ...view, status: { indicator: "none", description: "All Systems Operational" } });
    const [dot] = run(ok).inserted[0]!.node.children as [FakeElement];
    expect(dot.style.cssText).toContain(`background:${colours.operational}!important`);
  });

  it("leaks no globals", () => {
    const { sandbox } = run(script);
    expect(Object.keys(sandbox)).toEqual(["document"]);
  });

  it("does nothing without a current script (e.g. loaded as a module)", () => {
    expect(run(script, "absent").inserted).toEqual([]);
  });

  it("cannot be broken out of by the status text or page name", () => {
    const evil = widgetScript(evilView());
    expect(evil).not.toMatch(/<\/script/i);
    expect(evil).not.toContain("<!--");
    expect(evil).not.toContain("\u2028");
    expect(evil).toContain("\\u003c/script\\u003e");
    // The comment naming the page stays one closed comment.
    expect(evil.split("\n")[0]).toMatch(/^\/\*[^]*\*\/$/);
    expect(evil.split("\n")[0]!.slice(2, -2)).not.toContain("*/");
    // And the text arrives intact, as text.
    const [, text] = run(evil).inserted[0]!.node.children as [FakeElement, FakeElement];
    expect(text.textContent).toBe(evilText);
  });

  it("is deterministic", () => {
    expect(widgetScript(samplePageView())).toBe(script);
  });
});

describe("widgetIframeHtml", () => {
  const view = samplePageView();
  const html = widgetIframeHtml(view);

  it("is a minimal HTML document with lang, charset, title and viewport", () => {
    expect(html.startsWith("<!doctype html>\n<html lang=\"en\">")).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain("<title>Acme Status: Major System Outage</title>");
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
  });

  it("styles itself inline, light and dark", () => {
    expect(html).toContain("<style>");
    expect(html).toContain("@media (prefers-color-scheme: dark)");
    expect(html).toContain(`background:${colours.major}`);
    expect(html).not.toMatch(/<link|<script/);
  });

  it("shows the pill linking to the page, opening outside the frame", () => {
    expect(html).toContain(
      `<a href="https://status.example.com" target="_blank" rel="noopener" title="Acme Status: Major System Outage"><span class="dot" aria-hidden="true"></span><span>Major System Outage</span></a>`,
    );
  });

  it("escapes the page name, status text and address", () => {
    const evil = widgetIframeHtml({ ...evilView(), page: { ...evilView().page, url: `https://x.example/"><script>` } });
    expect(evil).not.toContain("</script>");
    expect(evil).not.toContain("<script>");
    expect(evil).not.toContain("<b>");
    expect(evil).toContain("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;!-- &amp;");
    expect(evil).toContain(`href="https://x.example/&quot;&gt;&lt;script&gt;"`);
  });
});

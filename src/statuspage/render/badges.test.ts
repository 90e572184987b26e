import { describe, expect, it } from "vitest";
import { samplePageView } from "../../../test/helpers/page-view.ts";
import type { Indicator } from "../view/types.ts";
import {
  colours,
  componentBadge,
  contrastRatio,
  formatUptime,
  indicatorColour,
  overallBadge,
  renderBadge,
  textColourOn,
  textWidth,
  uptimeColour,
} from "./badges.ts";

/** The badge's attributes and texts, read with a few patterns (the badge is one line of known shape). */
function read(svg: string) {
  const root = /^<svg ([^>]*)>/.exec(svg)?.[1] ?? "";
  const attrs = Object.fromEntries([...root.matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  const unescape = (s: string) =>
    s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[e]!);
  // The label's and the message's backgrounds: the first two rectangles of the clipped group.
  const rects = [...svg.slice(svg.indexOf("<g clip-path")).matchAll(/<rect ([^>]*)\/>/g)].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])),
  );
  const texts = [...svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)].map((m) => ({ attrs: m[1]!, text: unescape(m[2]!) }));
  return { attrs, title: unescape(/<title>([^<]*)<\/title>/.exec(svg)?.[1] ?? ""), rects, texts };
}

/** Every tag in `svg` is closed in order, attribute values are quoted and contain no `<`, text holds no raw `<`/`&`. */
function expectWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/g)) {
    if (m[5] !== undefined) {
      expect(m[5]).not.toMatch(/&(?!(?:amp|lt|gt|quot|#39);)/);
      continue;
    }
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else if (!m[4]) stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
  // Nothing but tags and text: the matches above must cover the whole string.
  expect(svg.replace(/<(\/?)([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/g, "")).toBe("");
}

describe("textWidth", () => {
  it("grows with the text and depends on the characters", () => {
    expect(textWidth("")).toBe(0);
    expect(textWidth("status")).toBeLessThan(textWidth("status page"));
    expect(textWidth("iiii")).toBeLessThan(textWidth("WWWW"));
    expect(textWidth("0")).toBeCloseTo((1303 * 11) / 2048, 5);
  });

  it("estimates characters outside ASCII", () => {
    expect(textWidth("é")).toBeGreaterThan(0);
    expect(textWidth("e\u0301")).toBe(textWidth("e")); // a combining accent takes no room
    expect(textWidth("状态")).toBeCloseTo(22, 5); // full-width: one em each
  });
});

describe("renderBadge", () => {
  it("is a valid-looking SVG with xmlns, viewBox, role, aria-label and title", () => {
    const { svg } = renderBadge("status", "All Systems Operational", colours.operational);
    expectWellFormed(svg);
    const { attrs, title } = read(svg);
    expect(attrs.xmlns).toBe("http://www.w3.org/2000/svg");
    expect(attrs.viewBox).toBe(`0 0 ${attrs.width} 20`);
    expect(attrs.height).toBe("20");
    expect(attrs.role).toBe("img");
    expect(attrs["aria-label"]).toBe("status: All Systems Operational");
    expect(title).toBe("status: All Systems Operational");
  });

  it("sizes the two halves by their text", () => {
    const { attrs, rects } = read(renderBadge("status", "ok", colours.operational).svg);
    const [label, message] = rects as [Record<string, string>, Record<string, string>];
    expect(Number(label.width)).toBe(Math.ceil(textWidth("status")) + 10);
    expect(message.x).toBe(label.width);
    expect(Number(label.width) + Number(message.width)).toBe(Number(attrs.width));
  });

  it("grows with longer labels and messages", () => {
    const width = (label: string, message: string) => Number(read(renderBadge(label, message, colours.operational).svg).attrs.width);
    expect(width("status", "up")).toBeLessThan(width("status", "Major System Outage"));
    expect(width("a", "up")).toBeLessThan(width("a much longer label", "up"));
  });

  it("escapes label and message everywhere they appear", () => {
    const { svg } = renderBadge(`<b>"A&B"</b>`, "</svg><script>x</script>", colours.major);
    expectWellFormed(svg);
    expect(svg).not.toContain("<b>");
    expect(svg).not.toContain("<script>");
    const { attrs, title, texts } = read(svg);
    expect(attrs["aria-label"]).toBe("&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;: &lt;/svg&gt;&lt;script&gt;x&lt;/script&gt;");
    expect(title).toBe(`<b>"A&B"</b>: </svg><script>x</script>`);
    expect(texts.map((t) => t.text)).toEqual([`<b>"A&B"</b>`, `<b>"A&B"</b>`, "</svg><script>x</script>", "</svg><script>x</script>"]);
  });

  it("gives different badges different definition ids, so several can be inlined in one page", () => {
    const ids = (svg: string) => [...svg.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!);
    const a = renderBadge("status", "ok", colours.operational).svg;
    const b = renderBadge("status", "down", colours.major).svg;
    expect(ids(a)).toHaveLength(2);
    for (const id of ids(a)) expect(a).toContain(`url(#${id})`);
    expect(ids(a).filter((id) => ids(b).includes(id))).toEqual([]);
    expect(ids(renderBadge("status", "ok", colours.operational).svg)).toEqual(ids(a));
  });

  it("strips control characters", () => {
    const { svg } = renderBadge("a\u0000b", "c\u001bd", colours.major);
    expect(svg).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(read(svg).title).toBe("ab: cd");
  });

  it("uses dark text on light colours and white text on dark ones", () => {
    const fills = (colour: string) =>
      [...renderBadge("l", "m", colour).svg.matchAll(/<text x="[^"]*" y="140" transform="scale\(\.1\)" fill="([^"]*)"/g)].map((m) => m[1]);
    expect(fills(colours.degraded)).toEqual(["#ffffff", "#222222"]);
    expect(fills(colours.major)).toEqual(["#ffffff", "#ffffff"]);
  });
});

describe("colours", () => {
  it("follow the overall indicator", () => {
    const expected: Record<Indicator, string> = {
      none: colours.operational,
      minor: colours.degraded,
      major: colours.partial,
      critical: colours.major,
      maintenance: colours.maintenance,
    };
    for (const [indicator, colour] of Object.entries(expected)) expect(indicatorColour(indicator as Indicator)).toBe(colour);
    expect(new Set(Object.values(expected)).size).toBe(5);
    expect(indicatorColour("bogus" as Indicator)).toBe(colours.unknown);
  });

  it("all keep their text readable (WCAG AA, 4.5:1)", () => {
    for (const colour of Object.values(colours)) expect(contrastRatio(colour, textColourOn(colour))).toBeGreaterThanOrEqual(4.5);
    expect(textColourOn(colours.degraded)).toBe("#222222");
    for (const dark of [colours.operational, colours.major, colours.maintenance, colours.unknown, colours.label]) {
      expect(textColourOn(dark)).toBe("#ffffff");
    }
  });

  it("colour uptime by its value", () => {
    expect(uptimeColour(100)).toBe(colours.operational);
    expect(uptimeColour(99.9)).toBe(colours.operational);
    expect(uptimeColour(99.2)).toBe(colours.degraded);
    expect(uptimeColour(96)).toBe(colours.partial);
    expect(uptimeColour(80)).toBe(colours.major);
    expect(uptimeColour(null)).toBe(colours.unknown);
  });
});

describe("formatUptime", () => {
  it("shows two decimals, truncated, 100% and no data", () => {
    expect(formatUptime(99.2)).toBe("99.20%");
    expect(formatUptime(99.996)).toBe("99.99%");
    expect(formatUptime(0.29)).toBe("0.29%");
    expect(formatUptime(100)).toBe("100%");
    expect(formatUptime(null)).toBe("no data");
  });
});

describe("overallBadge", () => {
  const view = samplePageView();

  it('says the page status under the label "status", coloured by indicator', () => {
    const { svg } = overallBadge(view);
    expectWellFormed(svg);
    const { title, rects } = read(svg);
    expect(title).toBe("status: Major System Outage");
    expect(rects[0]!.fill).toBe(colours.label);
    expect(rects[1]!.fill).toBe(colours.major);
  });

  it("follows the indicator and takes another label", () => {
    const { svg } = overallBadge({ ...view, status: { indicator: "none", description: "All Systems Operational" } }, { label: "Acme" });
    expect(read(svg).title).toBe("Acme: All Systems Operational");
    expect(read(svg).rects[1]!.fill).toBe(colours.operational);
  });

  it("is deterministic", () => {
    expect(overallBadge(samplePageView()).svg).toBe(overallBadge(view).svg);
  });
});

describe("componentBadge", () => {
  const view = samplePageView();

  it("shows a component's status, labelled with its name (escaped), coloured by status", () => {
    const badge = componentBadge(view, "checkout", "status");
    expect(badge).toBeDefined();
    const { svg } = badge!;
    expectWellFormed(svg);
    expect(svg).not.toContain("<beta>");
    expect(svg).toContain("Checkout &lt;beta&gt;");
    expect(read(svg).title).toBe("Checkout <beta>: Degraded Performance");
    expect(read(svg).rects[1]!.fill).toBe(colours.degraded);

    expect(read(componentBadge(view, "orders-db", "status")!.svg).title).toBe("Orders database: Major Outage");
    expect(read(componentBadge(view, "orders-db", "status")!.svg).rects[1]!.fill).toBe(colours.major);
    expect(read(componentBadge(view, "cache", "status")!.svg).rects[1]!.fill).toBe(colours.operational);
  });

  it("shows a component's uptime", () => {
    expect(read(componentBadge(view, "orders-db", "uptime")!.svg).title).toBe("Orders database: 99.20%");
    expect(read(componentBadge(view, "cache", "uptime")!.svg).title).toBe("Cache: 100%");
    const noData = { ...view, components: view.components.map((c) => ({ ...c, uptimePercent: null })) };
    expect(read(componentBadge(noData, "cache", "uptime")!.svg).title).toBe("Cache: no data");
  });

  it("colours maintenance blue", () => {
    const maintained = { ...view, components: view.components.map((c) => ({ ...c, status: "under_maintenance" as const })) };
    const { svg } = componentBadge(maintained, "cache", "status")!;
    expect(read(svg).title).toBe("Cache: Under Maintenance");
    expect(read(svg).rects[1]!.fill).toBe(colours.maintenance);
  });

  it("is undefined for an unknown component or a group", () => {
    expect(componentBadge(view, "nope", "status")).toBeUndefined();
    expect(componentBadge(view, "nope", "uptime")).toBeUndefined();
    expect(componentBadge(view, "group-infrastructure", "status")).toBeUndefined();
  });

  it("takes another label", () => {
    expect(read(componentBadge(view, "api", "status", { label: "api" })!.svg).title).toBe("api: Major Outage");
  });
});

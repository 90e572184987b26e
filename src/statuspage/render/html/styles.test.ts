import { describe, expect, it } from "vitest";
import { contrastRatio, darkPalette, defaultAccent, lightPalette, linkColor, pageStyles, type Palette } from "./styles.ts";

const palettes: [string, Palette][] = [
  ["light", lightPalette],
  ["dark", darkPalette],
];
const statusColours = ["ok", "minor", "partial", "major", "maint", "nodata"] as const;

describe.each(palettes)("the %s palette", (_name, p) => {
  it.each(["text", "muted", "link"] as const)("has %s at 4.5:1 or more on the background and on surfaces", (key) => {
    expect(contrastRatio(p[key], p.bg)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(p[key], p.surface)).toBeGreaterThanOrEqual(4.5);
  });

  it.each([...statusColours, "focus"] as const)("has %s (a shape, bar cell or focus ring) at 3:1 or more", (key) => {
    expect(contrastRatio(p[key], p.bg)).toBeGreaterThanOrEqual(3);
    expect(contrastRatio(p[key], p.surface)).toBeGreaterThanOrEqual(3);
  });

  it.each(["ok", "minor", "partial", "major", "maint"] as const)("has banner text at 4.5:1 or more on %s", (key) => {
    expect(contrastRatio(p.onStatus, p[key])).toBeGreaterThanOrEqual(4.5);
  });

  it("has tooltip text at 4.5:1 or more", () => {
    expect(contrastRatio(p.tipText, p.tipBg)).toBeGreaterThanOrEqual(4.5);
  });
});

describe("the accent colour", () => {
  it("colours links only where it reaches 4.5:1", () => {
    expect(linkColor(lightPalette, "#1e3a8a")).toBe("#1e3a8a"); // dark blue: fine on white
    expect(linkColor(darkPalette, "#1e3a8a")).toBe(darkPalette.link); // unreadable on near-black
    expect(linkColor(lightPalette, "#facc15")).toBe(lightPalette.link); // yellow on white
    expect(linkColor(darkPalette, "#facc15")).toBe("#facc15");
    expect(linkColor(lightPalette, "#1e3a8a80")).toBe(lightPalette.link); // translucent: never for text
  });

  it("goes into a custom property when valid, else the default does", () => {
    expect(pageStyles("#123456")).toContain("--accent:#123456;");
    const hostile = pageStyles("#fff;}body{display:none");
    expect(hostile).toContain(`--accent:${defaultAccent};`);
    expect(hostile).not.toContain("body{display:none");
    expect(pageStyles(null)).toContain(`--accent:${defaultAccent};`);
  });

  it("has a light palette, a dark one under prefers-color-scheme, focus outlines, and a width class per run length", () => {
    const css = pageStyles(null);
    expect(css).toContain("@media (prefers-color-scheme:dark){:root{");
    expect(css).toContain(`--bg:${darkPalette.bg}`);
    expect(css).toMatch(/:focus-visible\{outline:3px solid var\(--focus\)/);
    expect(css).toContain("@media (max-width:599.98px){");
    expect(css).toContain(".n1{flex-grow:1;--tick:100%}");
    expect(css).toContain(".n90{flex-grow:90;--tick:calc(100% / 90)}");
    expect(css).toContain(".day:hover>.tip,.day:focus>.tip,.day:focus-visible>.tip{display:block}");
    // Days before monitoring began: grey ticks, one a day like the others, shorter than any status's.
    expect(css).toContain(".day.d-no_data{height:20%}\n.day.d-no_data::before{background:var(--nodata)}");
  });
});

describe("contrastRatio", () => {
  it("matches WCAG's figures", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
    expect(contrastRatio("#fff", "#ffffff")).toBe(1);
  });
});

/**
 * The page's one inline style sheet. Two palettes (light, and dark through prefers-color-scheme), each checked in the
 * tests: text ≥ 4.5:1 on the background and surfaces, status colours (shapes, bar cells, focus ring) ≥ 3:1, banner
 * text ≥ 4.5:1 on every status colour. The page's accent colour is decoration (the header's top rule); it colours
 * links only in a palette where it reaches 4.5:1 on both background and surface.
 */
import { safeHexColor } from "./escape.ts";

export interface Palette {
  bg: string;
  surface: string;
  text: string;
  muted: string;
  border: string;
  link: string;
  focus: string;
  /** Status colours: operational, degraded performance, partial outage, major outage, maintenance, no data. */
  ok: string;
  minor: string;
  partial: string;
  major: string;
  maint: string;
  nodata: string;
  /** Text on a status colour (the overall banner). */
  onStatus: string;
  tipBg: string;
  tipText: string;
}

export const lightPalette: Palette = {
  bg: "#ffffff",
  surface: "#f4f5f7",
  text: "#16191d",
  muted: "#4a5260",
  border: "#c9ced6",
  link: "#1d4ed8",
  focus: "#1d4ed8",
  ok: "#15803d",
  minor: "#a16207",
  partial: "#c2410c",
  major: "#b91c1c",
  maint: "#4338ca",
  nodata: "#6b7280",
  onStatus: "#ffffff",
  tipBg: "#16191d",
  tipText: "#ffffff",
};

export const darkPalette: Palette = {
  bg: "#111418",
  surface: "#1b1f25",
  text: "#e8eaed",
  muted: "#aab2bd",
  border: "#3a414c",
  link: "#8ab4f8",
  focus: "#8ab4f8",
  ok: "#4ade80",
  minor: "#facc15",
  partial: "#fb923c",
  major: "#f87171",
  maint: "#a5b4fc",
  nodata: "#9ca3af",
  onStatus: "#111418",
  tipBg: "#e8eaed",
  tipText: "#111418",
};

/** The accent when the page has none (or an invalid one). */
export const defaultAccent = "#2563eb";

function channels(hex: string): [number, number, number, number] {
  const h = hex.slice(1);
  const full = h.length <= 4 ? [...h].map((c) => c + c).join("") : h;
  const byte = (i: number) => Number.parseInt(full.slice(i, i + 2), 16);
  return [byte(0), byte(2), byte(4), full.length === 8 ? byte(6) / 255 : 1];
}

/** WCAG relative luminance of an opaque hex colour. */
export function luminance(hex: string): number {
  const [r, g, b] = channels(hex).slice(0, 3).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two opaque hex colours, 1–21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The link colour of `palette` with `accent`: the accent when it is opaque and reaches 4.5:1 on bg and surface. */
export function linkColor(palette: Palette, accent: string): string {
  if (channels(accent)[3] < 1) return palette.link;
  const ok = contrastRatio(accent, palette.bg) >= 4.5 && contrastRatio(accent, palette.surface) >= 4.5;
  return ok ? accent : palette.link;
}

function variables(palette: Palette, accent: string): string {
  return [
    `--bg:${palette.bg}`,
    `--surface:${palette.surface}`,
    `--text:${palette.text}`,
    `--muted:${palette.muted}`,
    `--border:${palette.border}`,
    `--link:${linkColor(palette, accent)}`,
    `--focus:${palette.focus}`,
    `--ok:${palette.ok}`,
    `--minor:${palette.minor}`,
    `--partial:${palette.partial}`,
    `--major:${palette.major}`,
    `--maint:${palette.maint}`,
    `--nodata:${palette.nodata}`,
    `--on-status:${palette.onStatus}`,
    `--tip-bg:${palette.tipBg}`,
    `--tip-text:${palette.tipText}`,
  ].join(";");
}

/** One class per run length (1–90 days): its share of the bar and the width of one day's tick in it. */
const runWidths = Array.from({ length: 90 }, (_, i) => `.n${i + 1}{flex-grow:${i + 1};--tick:${i === 0 ? "100%" : `calc(100% / ${i + 1})`}}`).join("");

const rules = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;overflow-wrap:break-word}
a{color:var(--link);text-decoration:underline;text-underline-offset:.15em}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.wrap{max-width:56rem;margin:0 auto;padding:0 1rem}
.skip{position:absolute;left:.5rem;top:-10rem;z-index:20;padding:.5rem 1rem;background:var(--bg);color:var(--link);border:2px solid var(--focus)}
.skip:focus{top:.5rem}
.site-header{border-top:.375rem solid var(--accent);border-bottom:1px solid var(--border);background:var(--surface)}
.site-header .wrap{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1.5rem;padding-top:1rem;padding-bottom:1rem}
.site-name{margin:0;font-size:1.5rem;line-height:1.25}
.site-name a{color:var(--text);text-decoration:none}
.site-name a:hover{text-decoration:underline}
.site-name img{display:block;max-height:3rem;max-width:min(16rem,100%);height:auto;width:auto}
.site-description{margin:.25rem 0 0;color:var(--muted)}
.site-nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0;list-style:none}
.site-nav a{display:inline-block;padding:.25rem 0}
.site-nav a[aria-current="page"]{color:var(--text);font-weight:600;text-decoration-thickness:2px}
main{display:block;padding-top:1.5rem;padding-bottom:2rem}
main:focus{outline:none}
h2{font-size:1.375rem;line-height:1.3;margin:2rem 0 .75rem}
h3{font-size:1.125rem;line-height:1.35;margin:1.25rem 0 .5rem}
h4{font-size:1rem;margin:0}
section>h2:first-child{margin-top:0}
section+section{margin-top:2.5rem}
.month+.month,.card section+section{margin-top:1.25rem}
p{margin:.5rem 0}
.muted,.meta{color:var(--muted)}
.meta{font-size:.9375rem}
.icon{width:1.125em;height:1.125em;flex:none;fill:currentColor;vertical-align:-.2em}
.status{display:inline-flex;align-items:center;gap:.375rem;font-weight:600;white-space:nowrap}
.st-operational .icon,.icon.st-operational{color:var(--ok)}
.st-degraded_performance .icon,.icon.st-degraded_performance{color:var(--minor)}
.st-partial_outage .icon,.icon.st-partial_outage{color:var(--partial)}
.st-major_outage .icon,.icon.st-major_outage{color:var(--major)}
.st-under_maintenance .icon,.icon.st-under_maintenance{color:var(--maint)}
.banner{display:flex;align-items:center;gap:.75rem;margin:0;padding:1rem 1.25rem;border-radius:.5rem;font-size:1.25rem;font-weight:700;color:var(--on-status);background:var(--ok)}
.banner .icon{color:inherit;width:1.5em;height:1.5em}
.banner.st-degraded_performance{background:var(--minor)}
.banner.st-partial_outage{background:var(--partial)}
.banner.st-major_outage{background:var(--major)}
.banner.st-under_maintenance{background:var(--maint)}
.card{border:1px solid var(--border);border-left:.375rem solid var(--border);border-radius:.5rem;padding:1rem;margin:0 0 1rem;background:var(--surface)}
.card>h3:first-child,.card>h2:first-child{margin-top:0}
.updates{list-style:none;margin:1rem 0 0;padding:0}
.update{padding:.75rem 0 0;margin:.75rem 0 0;border-top:1px solid var(--border)}
.update-head{margin:0}
.update-status{font-weight:700}
.prose{max-width:100%}
.prose>:first-child{margin-top:.25rem}
.prose>:last-child{margin-bottom:0}
.prose pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--bg);padding:.5rem;border-radius:.25rem}
.prose table{border-collapse:collapse;max-width:100%}
.prose th,.prose td{border:1px solid var(--border);padding:.25rem .5rem;overflow-wrap:anywhere}
.prose blockquote{margin:.5rem 0;padding-left:1rem;border-left:.25rem solid var(--border)}
.affected{list-style:none;margin:.5rem 0;padding:0}
.affected li{display:flex;flex-wrap:wrap;justify-content:space-between;gap:.25rem 1rem;padding:.25rem 0}
.postmortem{margin-top:1.5rem}
.groups{margin:0}
.group{border:1px solid var(--border);border-radius:.5rem;padding:.25rem 1rem;margin:0 0 1rem}
.group-head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:.25rem 1rem;padding:.5rem 0}
.group-head h3{margin:0}
.component{padding:.75rem 0;border-top:1px solid var(--border)}
.groups>.component:first-child{border-top:0}
.component-head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:.25rem 1rem}
.component-head h3,.component-head h4{margin:0;font-size:1rem}
.component-description{margin:.125rem 0 0;font-size:.9375rem;color:var(--muted)}
.inline-list{display:flex;flex-wrap:wrap;gap:.125rem 1.25rem;list-style:none;margin:.25rem 0 0;padding:0;font-size:.875rem}
.inline-list .status{font-weight:600}
.bar{position:relative;display:flex;align-items:flex-end;gap:0;height:2.25rem;margin:.5rem 0 .25rem}
.day{position:static;display:flex;flex:1 1 0;min-width:2px;height:55%;cursor:default}
/* The mark is drawn by ::before, whose mask cuts a 2 px gap at the end of each day of the run; the cell itself keeps its outline. */
.day::before{content:"";flex:1;border-radius:1px;background:var(--ok);-webkit-mask:linear-gradient(to right,#000 calc(100% - 2px),transparent 0) 0 0/var(--tick,100%) 100%;mask:linear-gradient(to right,#000 calc(100% - 2px),transparent 0) 0 0/var(--tick,100%) 100%}
.day.d-under_maintenance::before{background:var(--maint)}
.day.d-degraded_performance{height:70%}
.day.d-degraded_performance::before{background:var(--minor)}
.day.d-partial_outage{height:85%}
.day.d-partial_outage::before{background:var(--partial)}
.day.d-major_outage{height:100%}
.day.d-major_outage::before{background:var(--major)}
/* Before monitoring began: a short grey tick a day, lower than any status's. */
.day.d-no_data{height:20%}
.day.d-no_data::before{background:var(--nodata)}
${runWidths}
/* No filter or transform on a day: either would make it the tip's containing block instead of the bar. */
.day:hover{outline:2px solid var(--muted);outline-offset:1px}
.day:focus-visible{outline-offset:1px}
.tip{display:none;position:absolute;z-index:10;left:0;right:0;top:100%;margin-top:2px;padding:.5rem .75rem;border-radius:.375rem;background:var(--tip-bg);color:var(--tip-text);font-size:.875rem;line-height:1.4;box-shadow:0 .25rem .75rem rgb(0 0 0 / .25)}
.tip>span{display:block}
.tip strong{display:block}
.day:hover>.tip,.day:focus>.tip,.day:focus-visible>.tip{display:block}
.bar-legend{display:flex;justify-content:space-between;gap:.5rem;font-size:.875rem;color:var(--muted)}
.bar-legend .uptime{text-align:center}
.bar-note{font-size:.9375rem;color:var(--muted)}
.days{list-style:none;margin:0;padding:0}
.past-day{padding:.5rem 0;border-top:1px solid var(--border)}
.past-day h3{margin:.5rem 0 .25rem;font-size:1rem}
.entries{list-style:none;margin:0;padding:0}
.entry{padding:.375rem 0 .375rem .75rem;margin:.25rem 0;border-left:.25rem solid var(--border)}
.entry a{font-weight:600}
.entry .meta{margin:0}
.more{margin-top:1rem}
/* After .card and .entry, whose border-left they colour. */
.impact-none{border-left-color:var(--nodata)}
.impact-minor{border-left-color:var(--minor)}
.impact-major{border-left-color:var(--partial)}
.impact-critical{border-left-color:var(--major)}
.maintenance{border-left-color:var(--maint)}
.pager ul{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem 1rem;list-style:none;margin:2rem 0 0;padding:0}
/* The subscribe form and the subscription pages. Field borders use the muted colour: 3:1 or more, as controls need. */
.subscribe{max-width:40rem}
.field{margin:.75rem 0}
.field label{display:block;font-weight:600;margin-bottom:.25rem}
.field input,.field select{display:block;width:100%;max-width:32rem;font:inherit;color:var(--text);background:var(--bg);border:1px solid var(--muted);border-radius:.375rem;padding:.5rem .625rem}
.field [aria-invalid="true"]{border:2px solid var(--major)}
.hint{margin:.25rem 0;font-size:.9375rem;color:var(--muted)}
.subscribe fieldset{min-width:0;margin:.75rem 0;padding:.5rem 1rem .75rem;border:1px solid var(--border);border-radius:.5rem}
.subscribe legend{padding:0 .25rem;font-weight:600}
.choices{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.25rem 1rem;list-style:none;margin:.25rem 0 0;padding:0}
.choice-group{grid-column:1/-1}
.choice{display:flex;align-items:flex-start;gap:.5rem;padding:.125rem 0}
.choice input{flex:none;width:1.125rem;height:1.125rem;margin:.2rem 0 0;accent-color:var(--link)}
.subscribe details{margin:.75rem 0}
.subscribe summary{cursor:pointer;color:var(--link);text-decoration:underline;text-underline-offset:.15em}
button{font:inherit;font-weight:600;color:var(--bg);background:var(--link);border:2px solid var(--link);border-radius:.375rem;padding:.5rem 1.25rem;cursor:pointer}
button:hover{text-decoration:underline}
.form-error{margin:.75rem 0;padding:.5rem .75rem;border:2px solid var(--major);border-left-width:.375rem;border-radius:.5rem;background:var(--surface)}
.notice{padding:.75rem 1rem;border:1px solid var(--border);border-left:.375rem solid var(--link);border-radius:.5rem;background:var(--surface)}
.flow code{overflow-wrap:anywhere}
.site-footer{border-top:1px solid var(--border);background:var(--surface);color:var(--muted);font-size:.9375rem}
.site-footer .wrap{padding-top:1rem;padding-bottom:1.5rem}
@media (max-width:599.98px){
.wrap{padding:0 .75rem}
.banner{font-size:1.125rem;padding:.75rem 1rem}
.group{padding:.25rem .75rem}
}
@media (prefers-reduced-motion:reduce){*{scroll-behavior:auto}}
`;

/** The style sheet for a page whose accent is `accentColor` (validated; the default when invalid). */
export function pageStyles(accentColor: string | null): string {
  const accent = safeHexColor(accentColor) ?? defaultAccent;
  return (
    `:root{color-scheme:light dark;--accent:${accent};${variables(lightPalette, accent)}}\n` +
    `@media (prefers-color-scheme:dark){:root{${variables(darkPalette, accent)}}}` +
    rules
  );
}

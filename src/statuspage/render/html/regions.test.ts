import { describe, expect, it } from "vitest";
import { samplePageView } from "../../../../test/helpers/page-view.ts";
import type { PageView } from "../../view/types.ts";
import { renderPage } from "./index.ts";

/** The sample page with regions on its first component. */
function withRegions(): PageView {
  const view = samplePageView();
  const [first, ...rest] = view.components;
  return {
    ...view,
    components: [
      {
        ...first!,
        regions: [
          { name: "local", status: "operational" },
          { name: "Europe West", status: "down" },
          { name: "US <East>", status: "degraded" },
          { name: "Asia", status: "no_data" },
        ],
      },
      ...rest,
    ],
  };
}

describe("regions on the home page", () => {
  it("lists a component's regions under it, each name with its status in words and shape", () => {
    const view = withRegions();
    const html = renderPage(view);
    const name = view.components[0]!.name;
    const list = new RegExp(`<ul class="inline-list" aria-label="${name} by region">(.*?)</ul>`).exec(html)?.[1] ?? "";
    const items = [...list.matchAll(/<li>(.*?)<\/li>/g)].map((m) => [/class="status (st-[a-z_]+)"/.exec(m[1]!)?.[1], m[1]!.replace(/<[^>]+>/g, "")]);
    expect(items).toEqual([
      ["st-operational", "local: Operational"],
      ["st-major_outage", "Europe West: Down"],
      ["st-degraded_performance", "US <East>: Degraded".replace("<", "&lt;").replace(">", "&gt;")],
      ["st-no_data", "Asia: No data"],
    ]);
    // Each status has a shape beside its words, hidden from assistive technology.
    expect(list.match(/<svg class="icon"[^>]*aria-hidden="true"/g)).toHaveLength(4);
    expect(html).toContain("Under a component, what each region that checks it sees now.");
    // Only that component has a list.
    expect(html.match(/<ul class="inline-list"/g)).toHaveLength(1);
  });

  it("says nothing about regions when no component has any", () => {
    const html = renderPage(samplePageView());
    expect(html).not.toMatch(/region/i);
  });
});

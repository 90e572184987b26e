/// <reference lib="dom" />
// The console by keyboard alone, in real headless Chromium at a phone's width: on every signed-in page, pressing Tab
// from the top reaches every visible control (links, buttons, fields, folded sections, scrolling tables) in turn, and
// each shows a focus ring when it has the focus; and forms are filled and sent with the keyboard only.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestRun } from "../../src/app/actions/request.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { browserSkipReason, expectAccessible, launchBrowser, phone, tabTo } from "../helpers/browser.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const skip = browserSkipReason();
if (skip && process.env.VIGIL_REQUIRE_SERVERS === "1") throw new Error(`VIGIL_REQUIRE_SERVERS=1 but ${skip}`);

const config = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
notifications:
  channels:
    - { id: oncall, type: webhook, url: "http://127.0.0.1:9/hook" }
actions:
  definitions:
    - { id: scale-down, type: webhook, url: "http://127.0.0.1:9/scale", approval: { required: 1 } }
`;

const pages = [
  "/manage",
  "/manage/incidents",
  "/manage/incidents/new",
  "/manage/maintenances",
  "/manage/silences",
  "/manage/channels",
  "/manage/subscribers",
  "/manage/catalog",
  "/manage/catalog/monitors/new",
  "/manage/catalog/components/new",
  "/manage/actions",
  "/manage/audit",
  "/manage/tokens",
  "/manage/users",
  "/manage/account",
];

/** Marks every visible control of the page with its index; how many there are. */
const markControls = (page: Page) =>
  page.evaluate(() => {
    const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex="0"]';
    const controls = [...document.querySelectorAll<HTMLElement>(selector)].filter((el) => el.checkVisibility() && !(el as HTMLButtonElement).disabled);
    controls.forEach((el, index) => el.setAttribute("data-control", String(index)));
    return controls.length;
  });

/** What has the focus: its control index and whether a focus ring (an outline) is drawn around it. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return undefined;
    const style = getComputedStyle(el);
    return { control: el.getAttribute("data-control"), ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0, what: el.outerHTML.slice(0, 80) };
  });

describe.skipIf(skip !== undefined)(`the console by keyboard in Chromium${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const clock = new ManualClock("2026-12-01T09:00:00Z");
  let test: TestVigil;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    test = await startTestVigil(config, { clock });
    // A run waiting for approval, so that the actions page shows its Approve, Reject and Cancel buttons.
    await requestRun({ store: test.vigil.store, clock, config: () => test.vigil.config() }, { actionId: "scale-down", incidentId: null, actor: "user:someone" });
    await addUserWithPassword({ store: test.vigil.store, clock }, "ada@example.com", "owner");
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: phone })).newPage();
    await page.goto(`${test.vigil.url}/manage/login`);
    await page.keyboard.press("Tab"); // the skip link
    await page.keyboard.press("Tab");
    await page.keyboard.type("ada@example.com");
    await page.keyboard.press("Tab");
    await page.keyboard.type(consolePassword);
    await Promise.all([page.waitForURL(`${test.vigil.url}/manage`), page.keyboard.press("Enter")]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await test?.dispose();
  });

  for (const path of pages) {
    it(`reaches every control of ${path} with Tab, each with a focus ring`, async () => {
      await page.goto(`${test.vigil.url}${path}`);
      const count = await markControls(page);
      expect(count, path).toBeGreaterThan(3);
      const reached = new Set<string>();
      const unringed: string[] = [];
      // A date and time field takes one press per part (day, month, year, hours, minutes): at most 8 presses a control.
      for (let presses = 0; presses <= count * 8 && reached.size < count; presses++) {
        await page.keyboard.press("Tab");
        const now = await focused(page);
        if (now?.control == null) continue;
        reached.add(now.control);
        if (!now.ring) unringed.push(now.what);
      }
      const missed = await page.evaluate((seen) => [...document.querySelectorAll<HTMLElement>("[data-control]")].filter((el) => !seen.includes(el.getAttribute("data-control") ?? "")).map((el) => el.outerHTML.slice(0, 80)), [...reached]);
      expect(missed, `${path}: controls Tab never reached`).toEqual([]);
      expect(unringed, `${path}: controls without a focus ring`).toEqual([]);
    });
  }

  it("shows the actions page with a run waiting for approval, and axe finds no violation on it", async () => {
    await page.goto(`${test.vigil.url}/manage/actions`);
    expect(await page.locator('#runs button:text-is("Approve")').count()).toBe(1);
    await expectAccessible(page, "/manage/actions");
    await page.setViewportSize(phone);
  });


  /** Types a date and a time into the focused date and time field: month, day and year, then (the year takes more digits) Tab to hours, minutes and AM or PM. */
  async function typeTime(date: string, time: string): Promise<void> {
    await page.keyboard.type(date);
    await page.keyboard.press("Tab");
    await page.keyboard.type(time);
  }

  /** Presses Enter in a form's field, which sends the form to `path`, and waits for the answer page. */
  async function sendWithEnter(path: string): Promise<void> {
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === path), page.keyboard.press("Enter")]);
    await page.waitForLoadState("load");
  }

  it("creates a silence and schedules a maintenance with the keyboard only", async () => {
    await page.goto(`${test.vigil.url}/manage/silences`);
    await tabTo(page, "#s-component");
    await page.keyboard.type("api");
    await tabTo(page, "#s-comment");
    await page.keyboard.type("deploy of api 4.2");
    // Enter in a field sends its form; the answer page says what was done.
    await sendWithEnter("/manage/silences");
    expect(await page.textContent('[role="status"]')).toMatch(/^Silenced until .*: component: api\.$/);
    expect((await test.get("/api/v1/silences")).json.silences).toEqual([expect.objectContaining({ comment: "deploy of api 4.2" })]);

    await page.goto(`${test.vigil.url}/manage/maintenances`);
    await tabTo(page, "#m-name");
    await page.keyboard.type("Database upgrade");
    await tabTo(page, "#m-body");
    await page.keyboard.type("The primary moves to new hardware.");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space"); // the api component's checkbox
    await tabTo(page, "#m-from");
    await typeTime("12022026", "0200A");
    await tabTo(page, "#m-until");
    await typeTime("12022026", "0300A");
    await sendWithEnter("/manage/maintenances");
    expect(await page.textContent('[role="status"]')).toBe("Scheduled: Database upgrade.");
    const [maintenance] = (await test.get("/api/v1/maintenances")).json.maintenances;
    expect(maintenance).toMatchObject({ name: "Database upgrade", components: ["api"], scheduled_for: "2026-12-02T02:00:00.000Z", scheduled_until: "2026-12-02T03:00:00.000Z" });
  });
});

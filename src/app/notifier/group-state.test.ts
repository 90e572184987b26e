import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultGroupPolicy } from "../../notify/routing/config.ts";
import { groupStep } from "../../notify/routing/group.ts";
import type { NotificationMessage } from "../../notify/types.ts";
import { openStore } from "../../store/open.ts";
import type { Store } from "../../store/types.ts";
import { groupStateName, loadGroupState, saveGroupState } from "./group-state.ts";

const at = (s: number) => new Date(Date.parse("2026-01-01T00:00:00Z") + s * 1000);
const message = (eventId: string, kind: "monitor.down" | "monitor.up"): NotificationMessage => ({
  kind,
  eventId,
  at: at(0),
  site: { name: "Acme", url: "https://status.example.com" },
  severity: kind === "monitor.down" ? "major" : "none",
  title: kind,
  text: kind,
  markdown: null,
  url: "https://status.example.com",
  dedupKey: "monitor:api",
  incident: null,
  components: [],
  labels: { monitor: "api" },
});

describe("the stored groups", () => {
  let dir: string;
  let store: Store;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "vigil-group-state-"));
    store = await openStore({ dataDir: path.join(dir, "data") });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("keep what each group said of its causes across a restart, so a recovery after it still goes at once", async () => {
    const sent = groupStep({ groups: {} }, { now: at(0), message: message("down", "monitor.down"), channelId: "oncall", route: defaultGroupPolicy });
    await saveGroupState(store, sent.state, at(0));
    const loaded = await loadGroupState(store);
    const up = groupStep(loaded, { now: at(10), message: message("up", "monitor.up"), channelId: "oncall", route: defaultGroupPolicy });
    expect(up.flush.map((b) => [b.reason, b.messages.map((m) => m.eventId)])).toEqual([["change", ["up"]]]);
  });

  it("read a group stored before they remembered what they said as having said nothing: its next message waits group_interval", async () => {
    const sent = groupStep({ groups: {} }, { now: at(0), message: message("down", "monitor.down"), channelId: "oncall", route: defaultGroupPolicy });
    const old = JSON.parse(JSON.stringify(sent.state)) as { groups: Record<string, Record<string, unknown>> };
    for (const group of Object.values(old.groups)) delete group["said"];
    await store.state.put(groupStateName, old, at(0));
    const loaded = await loadGroupState(store);
    const up = groupStep(loaded, { now: at(10), message: message("up", "monitor.up"), channelId: "oncall", route: defaultGroupPolicy });
    expect(up.flush).toEqual([]);
    const later = groupStep(up.state, { now: at(60) });
    expect(later.flush.map((b) => [b.reason, b.messages.map((m) => m.eventId), b.closed])).toEqual([["group_interval", ["up"], true]]);
  });
});

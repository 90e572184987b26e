import { describe, expect, it } from "vitest";
import { incidentOpened } from "./fixtures.test-helper.ts";
import { channelFor, channelRegistry, channelTypeNames, isChannelType, typedChannelRegistry } from "./registry.ts";

describe("channel registry", () => {
  it("has one channel per type name, each saying its own type", () => {
    expect(Object.keys(channelRegistry)).toEqual([...channelTypeNames]);
    for (const name of channelTypeNames) expect(channelRegistry[name].type).toBe(name);
    expect(channelRegistry).toBe(typedChannelRegistry);
  });

  it("finds a channel by a configured type name", () => {
    expect(channelFor("slack")).toBe(channelRegistry.slack);
    expect(channelFor("email")).toBe(channelRegistry.email);
    expect(channelFor("sms")).toBeUndefined();
    expect(channelFor("toString")).toBeUndefined();
    expect(isChannelType("ntfy")).toBe(true);
    expect(isChannelType("constructor")).toBe(false);
  });

  it("renders every channel's payload from the same message, as JSON", () => {
    const minimal: Record<string, Record<string, unknown>> = {
      webhook: { url: "https://hooks.example.com/x" },
      email: { host: "smtp.example.com", from: "status@example.com", to: ["oncall@example.com"] },
      slack: { url: "https://hooks.slack.com/services/T/B/x" },
      teams: { url: "https://prod.logic.azure.com/workflows/x" },
      discord: { url: "https://discord.com/api/webhooks/1/x" },
      pagerduty: { routing_key: "r".repeat(32) },
      opsgenie: { api_key: "k" },
      telegram: { bot_token: "1:x", chat_id: 1 },
      ntfy: { topic: "t" },
      googlechat: { url: "https://chat.googleapis.com/v1/spaces/S/messages?key=k&token=t" },
      mattermost: { url: "https://chat.example.com/hooks/x" },
    };
    for (const name of channelTypeNames) {
      const channel = channelRegistry[name];
      const config: unknown = channel.configSchema.parse(minimal[name]);
      const payload: unknown = channel.render(incidentOpened(), config);
      expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
    }
  });
});

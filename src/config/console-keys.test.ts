import { describe, expect, it } from "vitest";
import { formatConfigIssues, parseConfigText, type VigilConfig } from "./index.ts";

const base = `site: { name: Acme Status }\ncomponents: [{ id: api, name: API }]\n`;
const parse = (extra: string): VigilConfig => {
  const result = parseConfigText(base + extra, "vigil.yaml", { SMTP_PASSWORD: "hunter2-smtp" });
  if (!result.ok) throw new Error(formatConfigIssues(result.errors));
  return result.config;
};
const errors = (extra: string): string => {
  const result = parseConfigText(base + extra, "vigil.yaml", {});
  if (result.ok) throw new Error("expected errors");
  return formatConfigIssues(result.errors);
};

describe("the console's keys", () => {
  it("default to sessions of 12h idle and 7d at most, no invitation e-mail, and invitations valid for 72h", () => {
    expect(parse("").console).toEqual({ session: { idle: 43_200_000, absolute: 604_800_000 }, invite_valid_for: 259_200_000 });
  });

  it("read the SMTP server invitations go through, with its defaults", () => {
    const { console } = parse('console:\n  email: { host: smtp.example.com, username: vigil, password: "${SMTP_PASSWORD}", from: "Vigil <vigil@example.com>" }\n  invite_valid_for: 24h\n');
    expect(console.email).toEqual({ host: "smtp.example.com", port: 587, secure: false, username: "vigil", password: "hunter2-smtp", from: "Vigil <vigil@example.com>" });
    expect(console.invite_valid_for).toBe(86_400_000);
  });

  it("name what is wrong, and never print the SMTP password", () => {
    const messages = errors("console:\n  email: { host: smtp.example.com, password: 1234567, connections: 2 }\n  invite_valid_for: 0s\n");
    expect(messages).toMatch(/console\.email\.from: /);
    expect(messages).toMatch(/console\.email\.connections: unknown key "connections"/);
    expect(messages).toMatch(/console\.email\.password: expected text, got a number \(not shown: secret-named key\)/);
    expect(messages).toMatch(/console\.invite_valid_for: /);
    expect(messages).not.toContain("1234567");
  });
});

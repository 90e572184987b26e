import { describe, expect, it } from "vitest";
import { normalizeEmail, normalizeWebhookUrl } from "./address.ts";

describe("normalizeEmail", () => {
  it.each([
    ["ada@example.com", "ada@example.com"],
    ["  Ada.Lovelace@Example.COM \n", "Ada.Lovelace@example.com"],
    ["ops+status@mail.example.co.uk", "ops+status@mail.example.co.uk"],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ["-ops@example.com", "-ops@example.com"],
    ["jörg@bücher.DE", "jörg@bücher.de"],
    ["a@xn--bcher-kva.example", "a@xn--bcher-kva.example"],
  ])("accept %j as %j", (input, address) => {
    expect(normalizeEmail(input)).toEqual({ ok: true, address });
  });

  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ["adaexample.com", /no @/],
    ["ada@@example.com", /more than one @/],
    ["a@b@example.com", /more than one @/],
    ["@example.com", /nothing before the @/],
    ["ada@", /no domain/],
    ["ada@localhost", /no dot/],
    ["ada@example..com", /not a valid domain/],
    ["ada@-example.com", /not a valid domain/],
    ["ada@example.com.", /not a valid domain/],
    ["ada@127.0.0.1", /ends in a number/],
    [".ada@example.com", /dot at its start/],
    ["ada.@example.com", /dot at its start or end/],
    ["a..da@example.com", /two dots/],
    ["ada lovelace@example.com", /a space/],
    ["ada@example.com\r\nBcc: eve@evil.test", /a line break/],
    ["ada@example.com\nBcc:eve@evil.test", /a line break/],
    ["ada@example.com%0ABcc:eve@evil.test", /colon/],
    ["Ada <ada@example.com>", /a space|angle bracket/],
    ["<ada@example.com>", /angle bracket/],
    ["ada@example.com,eve@evil.test", /a comma/],
    ["ada@example.com;eve@evil.test", /a semicolon/],
    ['"ada"@example.com', /quote/],
    ["ada@[127.0.0.1]", /bracket/],
    ["ada\u0000@example.com", /control character/],
    ["ada\u202E@example.com", /invisible formatting/],
    [`${"a".repeat(65)}@example.com`, /longer than 64/],
    [`ada@${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(60)}.com`, /longer than 254/],
    [`ada@${"a".repeat(64)}.com`, /not a valid domain/],
  ])("refuse %j, saying what is wrong", (input, error) => {
    const result = normalizeEmail(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });

  it("never lets a line break, comma or angle bracket through", () => {
    const nasty = ["\r", "\n", ",", "<", ">", "\u2028", "\t"];
    for (const c of nasty) {
      for (const input of [`a${c}b@example.com`, `ab@exa${c}mple.com`]) expect(normalizeEmail(input).ok, JSON.stringify(input)).toBe(false);
    }
  });

  it("refuse a value that is not text without throwing", () => {
    expect(normalizeEmail(undefined as unknown as string)).toEqual({ ok: false, error: "the e-mail address is not text" });
  });
});

describe("normalizeWebhookUrl", () => {
  it.each([
    ["https://hooks.example.com/vigil", "https://hooks.example.com/vigil"],
    [" HTTPS://Hooks.Example.com:443/a?b=c#d ", "https://hooks.example.com/a?b=c#d"],
    ["http://example.com", "http://example.com/"],
    ["https://example.com/a b".replace(" ", "%20"), "https://example.com/a%20b"],
    ["https://bücher.example/hook", "https://xn--bcher-kva.example/hook"],
  ])("accept %j as %j", (input, address) => {
    expect(normalizeWebhookUrl(input)).toEqual({ ok: true, address });
  });

  it.each([
    ["", /empty/],
    ["not a url", /space/],
    ["example.com/hook", /not a URL/],
    ["ftp://example.com/hook", /uses ftp:/],
    ["javascript:alert(1)", /uses javascript:/],
    ["file:///etc/passwd", /uses file:/],
    ["https://user:pass@example.com/hook", /user name or password/],
    ["https://token@example.com/hook", /user name or password/],
    ["https://exa\nmple.com/hook", /line break/],
    ["https://example.com/\thook", /control character|line break|space/],
    [`https://example.com/${"a".repeat(2048)}`, /longer than 2048 characters$/],
    [`https://example.com/${"é".repeat(1000)}`, /once encoded/],
  ])("refuse %j, saying what is wrong", (input, error) => {
    const result = normalizeWebhookUrl(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});

import { describe, expect, it } from "vitest";
import { passwordProblem } from "./password-policy.ts";

describe("password policy", () => {
  it.each([
    ["too short", "short-pass1", "at least 12 characters"],
    ["too long", "a1b2c3d4".repeat(33), "at most 256 characters"],
    ["leading space", " correct horse battery", "start or end with a space"],
    ["few characters", "abababababababab", "more than a few different characters"],
    ["the email", "ada.lovelace@example.com", "e-mail address"],
    ["the email's local part", "my-ada.lovelace-2026", "e-mail address"],
  ])("refuses a password that is %s", (_name, password, message) => {
    const problem = passwordProblem(password, "ada.lovelace@example.com");
    expect(problem).toContain(message);
    expect(problem).not.toContain(password);
  });

  it.each(["correct horse battery staple", "Zq8#vL2!mN5@", "a".repeat(3) + "bcdefghijkl"])("accepts %s", (password) => {
    expect(passwordProblem(password, "ada.lovelace@example.com")).toBeUndefined();
  });

  it("counts characters, not bytes", () => {
    expect(passwordProblem("ééééééééééé", "x@example.com")).toContain("at least 12");
    expect(passwordProblem("éàüöçñßøåæœ€", "x@example.com")).toBeUndefined();
  });
});

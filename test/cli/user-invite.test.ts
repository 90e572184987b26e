// `vigil user invite` when the SMTP server of console.email refuses the e-mail: the link is printed with the reason.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVigil } from "../helpers/cli.ts";
import { startSmtpInbox, type SmtpInbox } from "../helpers/smtp-inbox.ts";

let dir: string;
let inbox: SmtpInbox;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vigil-invite-"));
  inbox = await startSmtpInbox({ rejectRecipient: (address) => (address.startsWith("gone@") ? 550 : undefined) });
});
afterAll(async () => {
  await inbox?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("vigil user invite", () => {
  it("sends through console.email, and prints the link, the reason and exits 1 when the server refuses the e-mail", async () => {
    const file = path.join(dir, "vigil.yaml");
    await writeFile(file, `site: { name: Acme Status, url: "https://status.example.com" }\nconsole:\n  email: { host: 127.0.0.1, port: ${inbox.port}, from: vigil@example.com }\n`);
    const data = path.join(dir, "data");
    const sent = await runVigil(["user", "invite", "--email", "dan@example.com", "--role", "admin", "--json", "--config", file, "--data", data]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ email: "dan@example.com", role: "admin", sent: true, reinvited: false });
    const [mail] = await inbox.to("dan@example.com");
    expect(mail?.text).toContain("You are invited to the Vigil console of Acme Status (https://status.example.com/manage) as admin.");

    const refused = await runVigil(["user", "invite", "--email", "gone@example.com", "--role", "viewer", "--config", file, "--data", data]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^invited usr_[a-z0-9]+ gone@example\.com \(viewer\), but no e-mail went out: the e-mail could not be sent: SMTP 550: .*\nHand them this link \(one use, until [^)]+\):\nhttps:\/\/status\.example\.com\/manage\/invite\?token=[A-Za-z0-9_-]{43}\n$/);
  }, 120_000);
});

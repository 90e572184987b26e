// `vigil user add|list|invite|reset-2fa|set`: console users from the command line, against the store or a running server's local socket.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.ts";
import { runVigil, startServe } from "../helpers/cli.ts";
import { startSmtpInbox } from "../helpers/smtp-inbox.ts";

const config = (extra = "") => `
site: { name: Acme Status${extra} }
components:
  - id: api
    name: Production API
    monitors: [api-health]
monitors:
  - id: api-health
    type: http
    url: http://127.0.0.1:9/health
    interval: 5s
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "vigil-user-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("vigil user", () => {
  it("adds a user with a one-time set-password link under site.url, lists users, and refuses bad input", async () => {
    const file = path.join(dir, "site.yaml");
    await writeFile(file, config(", url: https://status.example.com/"));
    const data = path.join(dir, "data");
    const added = await runVigil(["user", "add", "--email", "Ada@Example.com", "--role", "owner", "--config", file, "--data", data]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^added usr_[a-z0-9]+ Ada@Example\.com \(owner\)\nSet the password here \(one use, until \d{4}-\d\d-\d\dT[\d:.]+Z\):\nhttps:\/\/status\.example\.com\/manage\/set-password\?token=[A-Za-z0-9_-]{43}\n$/);

    const json = await runVigil(["user", "add", "--email", "bob@example.com", "--role", "viewer", "--json", "--config", file, "--data", data]);
    expect(JSON.parse(json.stdout)).toMatchObject({ email: "bob@example.com", role: "viewer", set_password_url: expect.stringMatching(/^https:\/\/status\.example\.com\/manage\/set-password\?token=/) as unknown });

    const listed = await runVigil(["user", "list", "--config", file, "--data", data]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/usr_\S+ {2}owner {6}Ada@Example\.com {2}\(no password yet, created /);
    expect(listed.stdout).toContain("viewer     bob@example.com");
    const listedJson = JSON.parse((await runVigil(["user", "list", "--json", "--config", file, "--data", data])).stdout) as Record<string, unknown>[];
    expect(listedJson.map((u) => Object.keys(u).sort())[0]).toEqual(["created_at", "disabled", "email", "id", "password_set", "role"]);

    const twice = await runVigil(["user", "add", "--email", "ada@example.COM", "--role", "admin", "--config", file, "--data", data]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("a user with the e-mail ada@example.COM exists already");
    const role = await runVigil(["user", "add", "--email", "eve@example.com", "--role", "root", "--config", file, "--data", data]);
    expect(role.code).toBe(1);
    expect(role.stderr).toContain('role: expected one of owner, admin, responder, viewer, got "root"');
    const email = await runVigil(["user", "add", "--email", "not-an-address", "--role", "viewer", "--config", file, "--data", data]);
    expect(email.code).toBe(1);
    expect(email.stderr).toContain('email: "not-an-address" is not an e-mail address');
  }, 120_000);

  it("asks a running server over its local socket; without site.url the link is under server.host and server.port", async () => {
    const file = path.join(dir, "plain.yaml");
    await writeFile(file, config());
    const data = path.join(dir, "served");
    const vigil = await startServe(["--config", file, "--data", data]);
    try {
      const added = await runVigil(["user", "add", "--email", "ops@example.com", "--role", "responder", "--json", "--config", file, "--data", data]);
      expect(added.code, added.stderr).toBe(0);
      expect(added.stderr).toContain("asked the running Vigil over");
      const url = (JSON.parse(added.stdout) as { set_password_url: string }).set_password_url;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:8080\/manage\/set-password\?token=/);
      const set = await runVigil(["user", "set", "--email", "ops@example.com", "--role", "viewer", "--config", file, "--data", data]);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stderr).toContain("asked the running Vigil over");
      expect(set.stdout).toBe("ops@example.com: role viewer, enabled\n");
      // Following the link and setting a password (with a refused one first) leaves neither secret in the server's log.
      const secret = url.split("token=")[1] ?? "";
      const page = await fetch(`${vigil.url}/manage/set-password?token=${secret}`);
      expect(page.status).toBe(200);
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
      const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const post = (password: string) =>
        fetch(`${vigil.url}/manage/set-password`, { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ csrf, token: secret, password }).toString() });
      expect((await post("tiny")).status).toBe(400);
      expect((await post("a quite long secret passphrase")).status).toBe(200);
      await vigil.stop();
      for (const text of [secret, "tiny", "a quite long secret passphrase", csrf]) expect(vigil.output()).not.toContain(text);
      expect(vigil.output()).toContain('"msg":"user added"');
    } finally {
      await vigil.stop();
    }
  }, 120_000);

  it("invites without an SMTP server by printing the link, and resets a second factor in the store", async () => {
    const file = path.join(dir, "invite.yaml");
    await writeFile(file, config(", url: https://status.example.com/"));
    const data = path.join(dir, "invited");
    const invited = await runVigil(["user", "invite", "--email", "bob@example.com", "--role", "responder", "--config", file, "--data", data]);
    expect(invited.code, invited.stderr).toBe(0);
    expect(invited.stdout).toMatch(
      /^invited usr_[a-z0-9]+ bob@example\.com \(responder\), but no e-mail went out: invitations are sent by e-mail, and no SMTP server is set for the console \(console\.email in the configuration\); `vigil user invite` prints the link instead\nHand them this link \(one use, until \d{4}-\d\d-\d\dT[\d:.]+Z\):\nhttps:\/\/status\.example\.com\/manage\/invite\?token=[A-Za-z0-9_-]{43}\n$/,
    );
    const json = await runVigil(["user", "invite", "--email", "bob@example.com", "--role", "responder", "--json", "--config", file, "--data", data]);
    expect(JSON.parse(json.stdout)).toMatchObject({ email: "bob@example.com", role: "responder", reinvited: true, sent: false, invite_url: expect.stringMatching(/^https:\/\/status\.example\.com\/manage\/invite\?token=/) as unknown });
    const role = await runVigil(["user", "invite", "--email", "bob@example.com", "--role", "owner", "--config", file, "--data", data]);
    expect(role.code).toBe(1);
    expect(role.stderr).toContain("bob@example.com was invited as responder already; invite them again as responder");

    const store = await openStore({ dataDir: data });
    const bob = await store.users.byEmail("bob@example.com");
    await store.secondFactors.begin(bob!.id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP");
    await store.secondFactors.enable(bob!.id, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", new Date(), 1, []);
    await store.close();
    const reset = await runVigil(["user", "reset-2fa", "--email", "BOB@example.com", "--config", file, "--data", data]);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toBe("second factor of bob@example.com reset: they sign in with their password alone until they set it up again\n");
    const again = await runVigil(["user", "reset-2fa", "--email", "bob@example.com", "--json", "--config", file, "--data", data]);
    expect(JSON.parse(again.stdout)).toMatchObject({ email: "bob@example.com", was_on: false });
    const nobody = await runVigil(["user", "reset-2fa", "--email", "nobody@example.com", "--config", file, "--data", data]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain("no user has the e-mail nobody@example.com");
    // With no server running, the CLI wrote each change itself: each is in the audit log as cli (the refusals, which
    // changed nothing, are not).
    const audit = await openStore({ dataDir: data });
    try {
      const ops = (await audit.audit.list({ actor: "cli" }, 50)).map((entry) => `${entry.via} ${entry.operation} ${entry.targetId === bob!.id ? "bob" : entry.targetId}`);
      expect(ops.filter((op) => op.endsWith(" bob"))).toEqual(["cli user.reset_2fa bob", "cli user.reset_2fa bob", "cli user.invite bob", "cli user.invite bob"]);
    } finally {
      await audit.close();
    }
  }, 120_000);

  it("sets a user's role and access in the store, never demoting or disabling the last enabled owner", async () => {
    const file = path.join(dir, "set.yaml");
    await writeFile(file, config());
    const data = path.join(dir, "set");
    const vigil = (...args: string[]) => runVigil(["user", ...args, "--config", file, "--data", data]);
    expect((await vigil("add", "--email", "ada@example.com", "--role", "owner")).code).toBe(0);
    expect((await vigil("add", "--email", "bob@example.com", "--role", "viewer")).code).toBe(0);

    const raised = await vigil("set", "--email", "BOB@example.com", "--role", "admin");
    expect(raised.code, raised.stderr).toBe(0);
    expect(raised.stdout).toBe("bob@example.com: role admin, enabled\n");
    const disabled = await vigil("set", "--email", "bob@example.com", "--disable", "--json");
    expect(JSON.parse(disabled.stdout)).toMatchObject({ email: "bob@example.com", role: "admin", disabled: true, sessions_ended: 0 });
    expect((await vigil("list", "--json")).stdout).toContain('"email":"bob@example.com","role":"admin","password_set":false,"disabled":true');
    expect((await vigil("set", "--email", "bob@example.com", "--enable")).stdout).toBe("bob@example.com: role admin, enabled\n");

    const last = await vigil("set", "--email", "ada@example.com", "--role", "viewer");
    expect(last.code).toBe(1);
    expect(last.stderr).toContain("ada@example.com is the last enabled owner: make another user owner first");
    expect((await vigil("set", "--email", "ada@example.com", "--disable")).stderr).toContain("ada@example.com is the last enabled owner");
    const both = await vigil("set", "--email", "bob@example.com", "--disable", "--enable");
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("give --disable or --enable, not both");
    expect((await vigil("set", "--email", "bob@example.com")).stderr).toContain("give --role, --disable or --enable");
    expect((await vigil("set", "--email", "bob@example.com", "--role", "root")).stderr).toContain('role: expected one of owner, admin, responder, viewer, got "root"');
    expect((await vigil("set", "--email", "nobody@example.com", "--role", "viewer")).stderr).toContain("no user has the e-mail nobody@example.com");

    // Each change the CLI wrote itself is in the audit log as cli; the refusals, which changed nothing, are not.
    const store = await openStore({ dataDir: data });
    try {
      const bob = await store.users.byEmail("bob@example.com");
      expect(bob).toMatchObject({ role: "admin", disabledAt: null });
      const ops = (await store.audit.list({ actor: "cli" }, 50)).filter((e) => e.operation === "user.set").map((e) => [e.via, e.targetId === bob!.id ? "bob" : e.targetId, e.summary]);
      expect(ops.map(([via, who]) => `${String(via)} ${String(who)}`)).toEqual(["cli bob", "cli bob", "cli bob"]);
      expect(ops.at(-1)?.[2]).toMatchObject({ body: { email: "BOB@example.com", role: "admin" } });
    } finally {
      await store.close();
    }
  }, 120_000);

  it("asks a running server to invite by e-mail through console.email, and to reset a second factor", async () => {
    const inbox = await startSmtpInbox();
    const file = path.join(dir, "mail.yaml");
    await writeFile(file, config() + `console:\n  email: { host: 127.0.0.1, port: ${inbox.port}, from: vigil@example.com }\n  invite_valid_for: 2h\n`);
    const data = path.join(dir, "mail-served");
    const vigil = await startServe(["--config", file, "--data", data], { timeoutMs: 90_000 });
    try {
      const invited = await runVigil(["user", "invite", "--email", "carol@example.com", "--role", "viewer", "--config", file, "--data", data]);
      expect(invited.code, invited.stderr).toBe(0);
      expect(invited.stderr).toContain("asked the running Vigil over");
      expect(invited.stdout).toMatch(/^invited usr_[a-z0-9]+ carol@example\.com \(viewer\): the invitation is sent, and works once, until \d{4}-\d\d-\d\dT[\d:.]+Z\n$/);
      const [mail] = await inbox.to("carol@example.com");
      const link = /Choose your password here: (\S+)/.exec(mail?.text ?? "")?.[1] ?? "";
      expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/manage\/invite\?token=[A-Za-z0-9_-]{43}$/);
      expect((await fetch(link)).status).toBe(200);
      const reset = await runVigil(["user", "reset-2fa", "--email", "carol@example.com", "--config", file, "--data", data]);
      expect(reset.code, reset.stderr).toBe(0);
      expect(reset.stdout).toBe("carol@example.com had no second factor on; nothing to reset\n");
      await vigil.stop();
      expect(vigil.output()).not.toContain(link.split("token=")[1]);
      expect(vigil.output()).toContain('"msg":"user invited"');
    } finally {
      await vigil.stop();
      await inbox.close();
    }
  }, 180_000);
});

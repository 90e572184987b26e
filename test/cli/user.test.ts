// `vigil user add|list`: console users from the command line, against the store or a running server's local socket.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runVigil, startServe } from "../helpers/cli.ts";

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
});

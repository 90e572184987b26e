// Roles guard the HTTP API, tokens made with the old scopes keep exactly their reach, user tokens follow their user,
// and every write (API, console, local socket) lands in the append-only audit log. On PGlite and PostgreSQL.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../../src/auth/create-token.ts";
import { handle } from "../../src/app/local-socket.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { createLogger } from "../../src/observability/logger.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";
import { addUserWithPassword, consolePassword } from "../helpers/console-users.ts";

const config = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
monitors:
  - { id: api-http, type: http, url: "http://127.0.0.1:9/", interval: 1h }
`;
const password = consolePassword;

type Scope = "read" | "write" | "publish" | "admin";
const ladder: Scope[] = ["read", "write", "publish", "admin"];

// What each route needed before roles (the `auth` scope each route declared): a token of a scope reached a route
// when its scope stood at or above the route's on the ladder read < write < publish < admin.
const scopeBeforeRoles: Record<string, Scope> = {
  listAgents: "read",
  listComponents: "read",
  overrideComponentStatus: "write",
  clusterStatus: "read",
  listEvents: "read",
  listIncidents: "read",
  createIncident: "write",
  getIncident: "read",
  editIncident: "write",
  addIncidentUpdate: "write",
  addIncidentNote: "write",
  resolveIncident: "write",
  publishIncident: "publish",
  incidentWindows: "read",
  listUpdateTemplates: "read",
  getPostmortem: "read",
  savePostmortem: "write",
  publishPostmortem: "publish",
  listWindows: "read",
  incidentTimeline: "read",
  listMaintenances: "read",
  getMaintenance: "read",
  createMaintenance: "publish",
  moveMaintenance: "publish",
  cancelMaintenance: "publish",
  listMonitors: "read",
  getMonitor: "read",
  listMonitorResults: "read",
  getMonitorUptime: "read",
  listChannels: "read",
  testChannel: "write",
  listDeliveries: "read",
  reloadConfig: "admin",
  listSilences: "read",
  createSilence: "write",
  expireSilence: "write",
  listSubscribers: "admin",
  countSubscribers: "read",
  exportSubscribers: "admin",
  importSubscribers: "admin",
  removeSubscriber: "admin",
  listTokens: "admin",
  createToken: "admin",
  revokeToken: "admin",
  listUpstreams: "read",
  refreshUpstreams: "write",
};
// Routes added with roles: only a scope-admin token (an owner) reaches them, except the maintenance edit, which a
// scope-publish token reaches as it does the other maintenance writes.
const newRoutes: Record<string, Scope> = {
  editMaintenance: "publish",
  listAudit: "admin",
  listUsers: "admin",
  manageUser: "admin",
  exportAudit: "admin",
  retryDelivery: "admin",
  // Runbook actions came after scopes: a responder's role token runs them, a scope token only as an owner.
  runAction: "admin",
  cancelActionRun: "admin",
  approveActionRun: "admin",
  rejectActionRun: "admin",
  listActions: "read",
  listActionRuns: "read",
  getActionRun: "read",
  ...Object.fromEntries(["Component", "Monitor"].flatMap((kind) => ["create", "replace", "patch", "remove"].map((verb) => [`${verb}${kind}`, "admin" as const]))),
  // The entries as stored (for an edit) are read by those who may change them.
  getComponentEntry: "admin",
  getMonitorEntry: "admin",
};

interface Operation {
  id: string;
  method: string;
  path: string;
  action: string;
}

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`roles and the audit log on ${backend.name}`, () => {
    const clock = new ManualClock("2026-12-01T09:00:00Z");
    let target: StoreTarget;
    let test: TestVigil;
    let operations: Operation[];
    const legacy: Record<Scope, string> = { read: "", write: "", publish: "", admin: "" };
    const users: Record<"ada" | "rita" | "vic", { id: string; email: string }> = { ada: { id: "", email: "" }, rita: { id: "", email: "" }, vic: { id: "", email: "" } };

    beforeAll(async () => {
      target = await freshTarget(backend.name);
      test = await startTestVigil(config, { clock, ...(target.url ? { databaseUrl: target.url } : {}) });
      const deps = { store: test.vigil.store, clock };
      for (const scope of ladder) legacy[scope] = (await createToken(deps, { name: `${scope}-legacy`, scope, actor: "test" })).token;
      for (const [key, role] of [["ada", "owner"], ["rita", "responder"], ["vic", "viewer"]] as const) {
        const user = await addUserWithPassword(deps, `${key}@example.com`, role);
        users[key] = { id: user.id, email: user.email };
      }
      const doc = (await call("GET", "/api/v1/openapi.json")).json;
      operations = Object.entries(doc.paths as Record<string, Record<string, { operationId: string; "x-vigil-action"?: string }>>).flatMap(([path, methods]) =>
        Object.entries(methods)
          .filter(([, op]) => op["x-vigil-action"] !== undefined)
          .map(([method, op]) => ({ id: op.operationId, method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, "x"), action: op["x-vigil-action"] as string })),
      );
    }, 120_000);
    afterAll(async () => {
      await test?.dispose();
      await target?.dispose();
    });

    async function call(method: string, url: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(`${test.vigil.url}${url}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
      const text = await res.text();
      let json: any;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, text, json, headers: res.headers };
    }
    const entries = async (filter: { actor?: string; action?: string } = {}) => test.vigil.store.audit.list(filter, 1000);
    const tokenFor = async (user: keyof typeof users, role: string) => (await createToken({ store: test.vigil.store, clock }, { name: `${user}-${role}`, role, user: users[user].email, actor: "test" })).token;

    it("lets a token of each old scope reach exactly the routes it reached before roles", async () => {
      expect(operations.map((op) => op.id).sort()).toEqual([...Object.keys(scopeBeforeRoles), ...Object.keys(newRoutes)].sort());
      for (const scope of ladder) {
        for (const op of operations) {
          const needed = scopeBeforeRoles[op.id] ?? newRoutes[op.id] ?? "admin";
          const res = await call(op.method, op.path, { token: legacy[scope] });
          const reached = res.status !== 401 && res.status !== 403;
          expect({ scope, op: op.id, reached }).toEqual({ scope, op: op.id, reached: ladder.indexOf(scope) >= ladder.indexOf(needed) });
        }
      }
    }, 120_000);

    it("writes one audit entry for every non-GET route and for each export of subscriber data, whatever the outcome", async () => {
      const audited = operations.filter((op) => op.method !== "GET" || ["listSubscribers", "exportSubscribers"].includes(op.id));
      expect(audited.length).toBeGreaterThan(20);
      for (const op of audited) {
        const before = (await entries({ action: op.id })).length;
        const res = await call(op.method, op.path, { token: legacy.admin });
        const after = await entries({ action: op.id });
        expect({ op: op.id, written: after.length - before }).toEqual({ op: op.id, written: 1 });
        expect(after[0]).toMatchObject({ actor: "token:admin-legacy", via: "token", action: op.action, operation: op.id, status: res.status, clientAddress: "127.0.0.1" });
      }
      // A read is not a write.
      const reads = (await entries()).length;
      await call("GET", "/api/v1/incidents", { token: legacy.admin });
      expect((await entries()).length).toBe(reads);
    }, 120_000);

    it("records who wrote what, with the secrets taken out, and serves it filtered, paged and as CSV to admins", async () => {
      const rita = await tokenFor("rita", "responder");
      const created = await call("POST", "/api/v1/silences", { token: rita, body: { matchers: { component: "api" }, duration: "1h", comment: "deploy, see https://bot:s3cret@hooks.example.com/acme?key=k3y" } });
      expect(created.text).toContain('"id"');
      expect(created.status).toBe(201);
      const [entry] = await entries({ actor: "rita@example.com" });
      expect(entry).toMatchObject({ action: "silences.write", operation: "createSilence", targetKind: "silences", targetId: created.json.id, status: 201 });
      expect(JSON.stringify(entry?.summary)).toContain("hooks.example.com");
      expect(JSON.stringify(entry?.summary)).not.toMatch(/s3cret|k3y/);

      const ada = await tokenFor("ada", "admin");
      const listed = await call("GET", "/api/v1/audit?actor=rita%40example.com&action=silences.write", { token: ada });
      expect(listed.status).toBe(200);
      expect(listed.json.entries).toHaveLength(1);
      expect(listed.json.entries[0]).toMatchObject({ actor: "rita@example.com", operation: "createSilence", target: { kind: "silences", id: created.json.id }, client_address: "127.0.0.1" });
      const paged = await call("GET", "/api/v1/audit?limit=2", { token: ada });
      expect(paged.json.entries).toHaveLength(2);
      const next = await call("GET", `/api/v1/audit?limit=2&before=${paged.json.next_before}`, { token: ada });
      expect(next.json.entries[0].id).toBeLessThan(paged.json.entries[1].id);
      expect((await call("GET", "/api/v1/audit?since=yesterday", { token: ada })).json.error.details[0].path).toBe("query.since");
      const csv = await call("GET", "/api/v1/audit/export.csv?actor=rita%40example.com", { token: ada });
      expect(csv.headers.get("content-type")).toContain("text/csv");
      expect(csv.text.split("\r\n")[0]).toBe("id,at,actor,via,token_id,action,operation,target_kind,target_id,status,client_address,summary");
      expect(csv.text).toContain("rita@example.com");
      expect(csv.text).not.toContain("s3cret");
      // Nothing changes or removes an entry.
      expect((await call("DELETE", "/api/v1/audit", { token: ada })).status).toBe(404);
      expect((await call("PATCH", `/api/v1/audit/${entry?.id}`, { token: ada, body: { actor: "x" } })).status).toBe(404);
      expect((await call("DELETE", `/api/v1/audit/${entry?.id}`, { token: ada })).status).toBe(404);
      // A responder may not read it: the 403 names the action needed and the role held.
      const refused = await call("GET", "/api/v1/audit", { token: rita });
      expect(refused.status).toBe(403);
      expect(refused.json.error.message).toBe("this needs the action audit.read (role admin or above); this token has role responder");
    });

    it("keeps a user's token at or below the user's role, and makes it follow the user", async () => {
      const refused = await call("POST", "/api/v1/tokens", { token: legacy.admin, body: { name: "too-strong", role: "admin", user: "rita@example.com" } });
      expect(refused.status).toBe(400);
      expect(refused.json.error.message).toBe("role: rita@example.com has role responder: a token of theirs may not have role admin");
      const both = await call("POST", "/api/v1/tokens", { token: legacy.admin, body: { name: "x", role: "viewer", scope: "read" } });
      expect(both.status).toBe(400);
      const unknown = await call("POST", "/api/v1/tokens", { token: legacy.admin, body: { name: "x", role: "viewer", user: "nobody@example.com" } });
      expect(unknown.json.error.message).toBe("user: no console user with the email nobody@example.com");

      const made = await call("POST", "/api/v1/tokens", { token: legacy.admin, body: { name: "rita-cli", role: "responder", user: "rita@example.com" } });
      expect(made.status).toBe(201);
      expect(made.json).toMatchObject({ role: "responder", scope: null, user_id: users.rita.id });
      const token = made.json.token as string;
      const silence = { matchers: { component: "api" }, duration: "1h", comment: "follow" };
      expect((await call("POST", "/api/v1/silences", { token, body: silence })).status).toBe(201);

      // Her role lowered to viewer: the token is a viewer's at once.
      await test.vigil.store.users.setRole(users.rita.id, "viewer", clock.now());
      const lowered = await call("POST", "/api/v1/silences", { token, body: silence });
      expect(lowered.status).toBe(403);
      expect(lowered.json.error.message).toBe("this needs the action silences.write (role responder or above); this token has role viewer");
      expect((await call("GET", "/api/v1/incidents", { token })).status).toBe(200);

      // Disabled: the token stops; enabled again with her role back: it works again.
      await test.vigil.store.users.setDisabled(users.rita.id, clock.now(), clock.now());
      const disabled = await call("GET", "/api/v1/incidents", { token });
      expect(disabled.status).toBe(401);
      expect(disabled.json.error.message).toBe("the bearer token's user is disabled or no longer exists");
      await test.vigil.store.users.setDisabled(users.rita.id, null, clock.now());
      await test.vigil.store.users.setRole(users.rita.id, "responder", clock.now());
      expect((await call("POST", "/api/v1/silences", { token, body: silence })).status).toBe(201);
    });

    it("shows a viewer no write controls in the console and answers the same request 403 over the API", async () => {
      const session = await signIn("vic@example.com");
      const home = await fetch(`${test.vigil.url}/manage`, { headers: { cookie: session } });
      const html = await home.text();
      expect(html).toContain('id="role">viewer<');
      expect(html).not.toContain('href="/manage/audit"');
      expect(html).not.toContain('href="/manage/users"');
      expect(html).toContain('href="/manage/account"');
      expect(html).not.toMatch(/<form[^>]*method="post"[^>]*action="\/manage\/(?!logout)/);
      const page = await fetch(`${test.vigil.url}/manage/audit`, { headers: { cookie: session } });
      expect(page.status).toBe(403);
      expect(await page.text()).toContain("This page needs the action audit.read (role admin or above); your account has role viewer");
      const api = await call("GET", "/api/v1/audit", { token: await tokenFor("vic", "viewer") });
      expect(api.status).toBe(403);
      expect(api.json.error.message).toBe("this needs the action audit.read (role admin or above); this token has role viewer");

      // An owner sees the link and the page, with the console's own sign-ins in it (passwords never).
      const owner = await signIn("ada@example.com");
      const ownerHome = await (await fetch(`${test.vigil.url}/manage`, { headers: { cookie: owner } })).text();
      expect(ownerHome).toContain('href="/manage/audit"');
      expect(ownerHome).toContain('href="/manage/users"');
      const audit = await fetch(`${test.vigil.url}/manage/audit?actor=vic%40example.com`, { headers: { cookie: owner } });
      expect(audit.status).toBe(200);
      expect(audit.headers.get("content-security-policy")).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self'; /);
      const text = await audit.text();
      expect(text).toContain("signIn");
      expect(text).not.toContain(password);
      const [signedIn] = await entries({ actor: "vic@example.com", action: "signIn" });
      expect(signedIn).toMatchObject({ via: "session", action: "session", status: 303, targetId: users.vic.id });
      expect(signedIn?.summary).toMatchObject({ body: { password: "***", csrf: "***", email: "vic@example.com" } });
      const download = await fetch(`${test.vigil.url}/manage/audit.csv?actor=vic%40example.com`, { headers: { cookie: owner } });
      expect(download.headers.get("content-disposition")).toMatch(/^attachment; filename="vigil-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
      expect((await download.text()).split("\r\n").filter((line) => line.includes("signIn")).length).toBeGreaterThan(0);
    });

    it("records what the local CLI socket does as cli", async () => {
      const logger = createLogger({ destination: new Writable({ write: (_c, _e, cb) => cb() }) });
      const answer = await handle(JSON.stringify({ op: "token.create", name: "from-socket", role: "viewer" }), { store: test.vigil.store, clock, logger, reload: () => Promise.reject(new Error("not here")) });
      expect(answer.ok).toBe(true);
      const [entry] = await entries({ actor: "cli" });
      expect(entry).toMatchObject({ via: "socket", action: "tokens.manage", operation: "token.create", targetKind: "tokens", status: 200, summary: { body: { name: "from-socket", role: "viewer" } } });
      expect(entry?.targetId).toBe(answer.ok ? answer.result.id : "");
    });

    it("lets owners list users and change their role and access; disabling ends their sessions and stops their tokens; audited", async () => {
      const ada = await tokenFor("ada", "owner");
      const listed = await call("GET", "/api/v1/users", { token: ada });
      expect(listed.status).toBe(200);
      const rita = listed.json.users.find((u: { email: string }) => u.email === "rita@example.com");
      expect(rita).toEqual({ id: users.rita.id, email: "rita@example.com", role: "responder", disabled: false, second_factor: false, created_at: "2026-12-01T09:00:00.000Z" });
      expect(listed.text).not.toMatch(/password|hash|secret/i);
      const refused = await call("GET", "/api/v1/users", { token: await tokenFor("rita", "responder") });
      expect(refused.status).toBe(403);
      expect(refused.json.error.message).toBe("this needs the action users.manage (role owner or above); this token has role responder");

      const raised = await call("PATCH", `/api/v1/users/${users.rita.id}`, { token: ada, body: { role: "admin" } });
      expect(raised.status).toBe(200);
      expect(raised.json).toMatchObject({ email: "rita@example.com", role: "admin", disabled: false });
      const [entry] = await entries({ actor: "ada@example.com", action: "users.manage" });
      expect(entry).toMatchObject({ via: "token", operation: "manageUser", targetKind: "users", targetId: users.rita.id, status: 200, summary: { body: { role: "admin" } } });

      // The last enabled owner is neither demoted nor disabled; nobody disables themself.
      const demoted = await call("PATCH", `/api/v1/users/${users.ada.id}`, { token: legacy.admin, body: { role: "admin" } });
      expect(demoted.status).toBe(409);
      expect(demoted.json.error.message).toBe("ada@example.com is the last enabled owner: make another user owner first, or nobody could manage users and tokens");
      expect((await call("PATCH", `/api/v1/users/${users.ada.id}`, { token: legacy.admin, body: { disabled: true } })).status).toBe(409);
      const self = await call("PATCH", `/api/v1/users/${users.ada.id}`, { token: ada, body: { disabled: true } });
      expect(self.status).toBe(409);
      expect(self.json.error.message).toBe("ada@example.com is you: you may not disable yourself; another owner may");
      expect((await test.vigil.store.users.get(users.ada.id))).toMatchObject({ role: "owner", disabledAt: null });
      expect((await call("PATCH", `/api/v1/users/${users.ada.id}`, { token: ada, body: {} })).status).toBe(400);
      expect((await call("PATCH", "/api/v1/users/usr_nobody", { token: ada, body: { disabled: true } })).status).toBe(404);

      // Disabled: her console session ends and her token stops; enabled again, the token works (the session stays ended).
      const session = await signIn("rita@example.com");
      const token = await tokenFor("rita", "responder");
      expect((await fetch(`${test.vigil.url}/manage`, { headers: { cookie: session }, redirect: "manual" })).status).toBe(200);
      const disabled = await call("PATCH", `/api/v1/users/${users.rita.id}`, { token: ada, body: { disabled: true, role: "responder" } });
      expect(disabled.json).toMatchObject({ role: "responder", disabled: true });
      expect((await fetch(`${test.vigil.url}/manage`, { headers: { cookie: session }, redirect: "manual" })).headers.get("location")).toBe("/manage/login");
      const stopped = await call("GET", "/api/v1/incidents", { token });
      expect(stopped.status).toBe(401);
      expect(stopped.json.error.message).toBe("the bearer token's user is disabled or no longer exists");
      expect((await call("PATCH", `/api/v1/users/${users.rita.id}`, { token: ada, body: { disabled: false } })).json).toMatchObject({ disabled: false });
      expect((await call("GET", "/api/v1/incidents", { token })).status).toBe(200);
      const kinds = (await test.vigil.store.events.list({ subject: users.rita.id })).map((e) => e.kind).filter((k) => k !== "user.signed_in");
      expect(kinds.slice(-4)).toEqual(["user.role_changed", "user.role_changed", "user.disabled", "user.enabled"]);

      // A service's token (no user) belongs to no one: it outlives the owner who made it, whom the audit log names.
      expect((await call("PATCH", `/api/v1/users/${users.rita.id}`, { token: ada, body: { role: "owner" } })).status).toBe(200);
      const ritaOwner = await tokenFor("rita", "owner");
      const made = await call("POST", "/api/v1/tokens", { token: ritaOwner, body: { name: "deploy-bot", role: "responder" } });
      expect(made.status).toBe(201);
      expect(made.json).toMatchObject({ name: "deploy-bot", role: "responder", user_id: null });
      expect((await entries({ actor: "rita@example.com", action: "tokens.manage" }))[0]).toMatchObject({ operation: "createToken", status: 201 });
      expect((await call("PATCH", `/api/v1/users/${users.rita.id}`, { token: ada, body: { disabled: true } })).status).toBe(200);
      expect((await call("GET", "/api/v1/incidents", { token: ritaOwner })).status).toBe(401);
      expect((await call("GET", "/api/v1/incidents", { token: made.json.token })).status).toBe(200);
    });

    async function signIn(email: string): Promise<string> {
      const form = await fetch(`${test.vigil.url}/manage/login`);
      const csrf = /name="csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
      const cookie = (form.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const res = await fetch(`${test.vigil.url}/manage/login`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ csrf, email, password }).toString(),
      });
      expect(res.status).toBe(303);
      return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    }
  });
}

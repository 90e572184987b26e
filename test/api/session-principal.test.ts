// A console session stands for its user on the HTTP API (`Authorization: Session <cookie value>`), which is how the
// console's pages read and write: the user's role decides, the timeline and the audit log name the user, and the
// session's expiry holds. On PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.ts";
import { addUserWithPassword, signInOverHttp } from "../helpers/console-users.ts";
import { freshTarget, storeBackends, type StoreTarget } from "../helpers/stores.ts";
import { startTestVigil, type TestVigil } from "../helpers/vigil.ts";

const config = `
site: { name: Acme Status }
components:
  - { id: api, name: Production API }
console:
  session: { idle: 1h, absolute: 1d }
`;

for (const backend of storeBackends()) {
  describe.skipIf(!backend.available)(`a console session on the API on ${backend.name}`, () => {
    let store: StoreTarget;
    let vigil: TestVigil;
    const clock = new ManualClock(Date.parse("2026-12-07T09:00:00Z"));
    const users: Record<string, { id: string; session: string }> = {};

    beforeAll(async () => {
      store = await freshTarget(backend.name);
      vigil = await startTestVigil(config, { clock, ...(store.url ? { databaseUrl: store.url } : {}) });
      for (const [email, role] of [["rob@example.com", "responder"], ["val@example.com", "viewer"]] as const) {
        const user = await addUserWithPassword({ store: vigil.vigil.store, clock }, email, role);
        users[role] = { id: user.id, session: (await signInOverHttp(vigil.vigil.url, email)).replace(/^vigil_session=/, "") };
      }
    }, 60_000);
    afterAll(async () => {
      await vigil?.dispose();
      await store?.dispose();
    });

    const call = (method: string, path: string, secret: string, body?: object) =>
      fetch(`${vigil.vigil.url}${path}`, {
        method,
        headers: { authorization: `Session ${secret}`, ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });

    it("acts as its user: a responder's incident names the user on the timeline and in the audit log", async () => {
      const res = await call("POST", "/api/v1/incidents", users.responder!.session, { name: "Checkout errors", body: "We are looking into it." });
      expect(res.status).toBe(201);
      const incident = await res.json();
      const events = (await vigil.get(`/api/v1/events?subject=${incident.id}&limit=20`)).json.events as { kind: string; actor: string }[];
      expect(events.find((e) => e.kind === "incident.created")?.actor).toBe(`user:${users.responder!.id}`);
      const audit = (await vigil.vigil.store.audit.list({}, 5)).map((e) => ({ ...e, token_id: e.tokenId })) as { actor: string; via: string; token_id: string | null; operation: string; status: number }[];
      expect(audit.find((e) => e.operation === "createIncident")).toMatchObject({ actor: "rob@example.com", via: "session", token_id: null, status: 201 });
    });

    it("holds the user's role: a viewer reads, and is refused a write with the action and the role named", async () => {
      expect((await call("GET", "/api/v1/incidents", users.viewer!.session)).status).toBe(200);
      const refused = await call("POST", "/api/v1/incidents", users.viewer!.session, { name: "x", body: "y" });
      expect(refused.status).toBe(403);
      expect((await refused.json()).error.message).toBe("this needs the action incidents.write (role responder or above); your account has role viewer");
      expect((await call("GET", "/api/v1/agent/assignments", users.viewer!.session)).status).toBe(403);
    });

    it("is refused once the session has ended, and never for a made-up value", async () => {
      expect((await call("GET", "/api/v1/incidents", "x".repeat(43))).status).toBe(401);
      clock.advance(2 * 3_600_000);
      const ended = await call("GET", "/api/v1/incidents", users.responder!.session);
      expect(ended.status).toBe(401);
      expect((await ended.json()).error.message).toBe("the session has ended: sign in again");
    });
  });
}

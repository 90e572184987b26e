import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpSink, type HttpSink } from "../../test/helpers/http-sink.ts";
import { handleError } from "./errors.ts";
import { forwardedHeader, forwardToLeader, type LeaderPort } from "./forward.ts";

describe("forwarding the native API to the leader", () => {
  let leader: HttpSink;
  let port: LeaderPort;
  const app = Fastify();

  beforeAll(async () => {
    leader = await startHttpSink();
    port = { isLeader: () => false, leaderUrl: () => leader.url };
    forwardToLeader(app, { isLeader: () => port.isLeader(), leaderUrl: () => port.leaderUrl() }, "node-b");
    app.setErrorHandler(handleError);
    app.get("/api/v1/things", async () => ({ here: true }));
    app.get("/api/v1/cluster", async () => ({ local: true }));
    app.post("/api/v1/heartbeat/:id", async () => ({ local: true }));
    app.get("/api/v1/agent/assignments", async () => ({ local: true }));
    app.post("/api/v1/agent/results", async () => ({ local: true }));
    app.get("/api/v1/agents", async () => ({ local: true }));
    app.get("/api/v2/summary.json", async () => ({ local: true }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await leader.close();
  });

  it("forwards a request as it came, body and token included, and passes the leader's answer back", async () => {
    leader.reset();
    leader.reply({ status: 201, body: { id: "inc_1" }, headers: { "x-request-id": "from-leader" } });
    const res = await app.inject({ method: "POST", url: "/api/v1/incidents?x=1", headers: { authorization: "Bearer vgl_secret", "content-type": "application/json" }, payload: { name: "Outage" } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id: "inc_1" });
    expect(res.headers["x-request-id"]).toBe("from-leader");
    const seen = leader.only();
    expect(seen).toMatchObject({ method: "POST", path: "/api/v1/incidents?x=1", body: { name: "Outage" } });
    expect(seen.headers["authorization"]).toBe("Bearer vgl_secret");
    expect(seen.headers[forwardedHeader]).toBe("node-b");
  });

  it("answers itself the cluster view, heartbeat pings, remote agents and everything outside /api/v1", async () => {
    leader.reset();
    expect((await app.inject({ url: "/api/v1/agent/assignments?wait=25000" })).json()).toEqual({ local: true });
    expect((await app.inject({ method: "POST", url: "/api/v1/agent/results" })).json()).toEqual({ local: true });
    expect((await app.inject({ url: "/api/v1/agents" })).json()).toEqual({ local: true });
    expect((await app.inject({ url: "/api/v1/cluster" })).json()).toEqual({ local: true });
    expect((await app.inject({ method: "POST", url: "/api/v1/heartbeat/nightly" })).json()).toEqual({ local: true });
    expect((await app.inject({ url: "/api/v2/summary.json" })).json()).toEqual({ local: true });
    expect(leader.requests).toEqual([]);
  });

  it("answers itself while it leads", async () => {
    port = { isLeader: () => true, leaderUrl: () => null };
    expect((await app.inject({ url: "/api/v1/things" })).json()).toEqual({ here: true });
    port = { isLeader: () => false, leaderUrl: () => leader.url };
  });

  it("refuses with leader_unavailable and Retry-After while no node leads, and never forwards twice", async () => {
    port = { isLeader: () => false, leaderUrl: () => null };
    const none = await app.inject({ url: "/api/v1/things" });
    expect(none.statusCode).toBe(503);
    expect(none.headers["retry-after"]).toBe("2");
    expect(none.json().error.code).toBe("leader_unavailable");
    port = { isLeader: () => false, leaderUrl: () => leader.url };
    leader.reset();
    const again = await app.inject({ url: "/api/v1/things", headers: { [forwardedHeader]: "node-a" } });
    expect(again.statusCode).toBe(503);
    expect(leader.requests).toEqual([]);
  });

  it("refuses with leader_unavailable when the leader does not answer", async () => {
    port = { isLeader: () => false, leaderUrl: () => "http://127.0.0.1:9" };
    const res = await app.inject({ url: "/api/v1/things" });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe("leader_unavailable");
    port = { isLeader: () => false, leaderUrl: () => leader.url };
  });
});

// A local HTTP target for the probe benchmark, in its own process so that its CPU is not Vigil's.
// Modes, set by IPC message: "ok" (200), "error" (500), "hang" (accept, never answer), "refuse" (stop listening),
// "longtail" (200 after a log-normal delay: median 3 ms, p99 ~100 ms, p99.9 ~300 ms, at most 5 s).
// The message { stats: true } is answered with what "longtail" answered: { answered, over1s, maxMs }.
// The message { failing: "/prefix/" } makes paths under the prefix answer 500 whatever the mode ({ failing: null }: none).
import http from "node:http";

let mode = "ok";
let failing = null;
const hanging = new Set();
const stats = { answered: 0, over1s: 0, maxMs: 0 };
const longTail = () => {
  const z = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
  return Math.min(5_000, 3 * Math.exp(1.49 * z));
};
const server = http.createServer((req, res) => {
  if (failing !== null && req.url?.startsWith(failing)) {
    res.writeHead(500, { "content-type": "application/json" }).end('{"status":"failing"}');
    return;
  }
  if (mode === "hang") {
    hanging.add(res);
    res.on("close", () => hanging.delete(res));
    return;
  }
  if (mode === "longtail") {
    const delay = longTail();
    setTimeout(() => {
      stats.answered++;
      if (delay > 1_000) stats.over1s++;
      stats.maxMs = Math.max(stats.maxMs, delay);
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    }, delay);
    return;
  }
  res.writeHead(mode === "error" ? 500 : 200, { "content-type": "application/json" });
  res.end(mode === "error" ? '{"status":"failing"}' : '{"status":"ok"}');
});
server.keepAliveTimeout = 1000;
let port = 0;
const listen = () => new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server.address().port)));
port = await listen();
process.send?.({ ready: port });
process.on("message", async (message) => {
  if (message.failing !== undefined) {
    failing = message.failing;
    process.send?.({ failing });
    return;
  }
  if (message.stats) {
    process.send?.({ stats: { ...stats } });
    return;
  }
  if (message.mode === "refuse") {
    mode = "ok";
    server.close();
    server.closeAllConnections();
  } else {
    if (mode === "refuse" || !server.listening) await listen();
    if (mode === "hang" && message.mode !== "hang") for (const res of hanging) res.destroy();
    mode = message.mode;
  }
  if (message.mode === "refuse") mode = "refuse";
  process.send?.({ ack: message.mode });
});
process.on("disconnect", () => process.exit(0));

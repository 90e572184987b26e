// A local HTTP target for the probe benchmark, in its own process so that its CPU is not Vigil's.
// Modes, set by IPC message: "ok" (200), "error" (500), "hang" (accept, never answer), "refuse" (stop listening).
import http from "node:http";

let mode = "ok";
const hanging = new Set();
const server = http.createServer((req, res) => {
  if (mode === "hang") {
    hanging.add(res);
    res.on("close", () => hanging.delete(res));
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

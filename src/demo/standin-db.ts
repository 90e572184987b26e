/**
 * A stand-in for the orders database when MariaDB is not installed: a TCP service that accepts connections while it
 * is up and refuses them while it is down (its port is closed), monitored with the `tcp` monitor type. It says
 * nothing about itself, so Vigil sees it go down and up but has no uptime to tell restarts from.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { DemoDatabase } from "./database.ts";
import { freePort, listen, sleep } from "./net.ts";

/** How long the stand-in takes to "start", as a database takes a moment. */
const startupMs = 300;

export async function startStandInDatabase(): Promise<DemoDatabase> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;

  const up = async () => {
    const next = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      // A greeting, as a database server sends one; the clients here only need the connection to open.
      socket.write("stand-in orders database ready\r\n");
    });
    await listen(next, port);
    server = next;
  };
  const down = async () => {
    const running = server;
    server = undefined;
    if (!running) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => running.close(() => resolve()));
  };

  await up();
  return {
    kind: "stand-in",
    label: `stand-in TCP service on 127.0.0.1:${port} (accepts connections while up, refuses them while down)`,
    port,
    monitor: { type: "tcp", host: "127.0.0.1", port },
    crash: down,
    async restart() {
      await sleep(startupMs);
      if (!server) await up();
    },
    dispose: down,
  };
}

import { createServer, connect, type Server, type Socket } from "node:net";

/** A TCP proxy on loopback that the test can cut off (a partition: nothing gets through, nothing is refused) and restore. */
export interface TcpProxy {
  port: number;
  /** Holds every byte in both directions, and new connections too: the far side hears nothing, as in a partition. */
  cut(): void;
  /** Lets everything held through, and carries on. */
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let held = false;
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const wire = (pair: { client: Socket; upstream: Socket }) => {
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  };
  const hold = (pair: { client: Socket; upstream: Socket }) => {
    pair.client.unpipe(pair.upstream);
    pair.upstream.unpipe(pair.client);
    pair.client.pause();
    pair.upstream.pause();
  };
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    if (held) hold(pair);
    else wire(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      held = true;
      for (const pair of pairs) hold(pair);
    },
    restore() {
      held = false;
      for (const pair of pairs) wire(pair);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.client.destroy();
          pair.upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

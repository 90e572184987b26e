import { createServer, type Server } from "node:http";

/** A local HTTP target the test flips between answering 200 ("ok") and 500 ("broken"). */
export interface FlipTarget {
  url: string;
  set(up: boolean): void;
  close(): Promise<void>;
}

/** Starts a FlipTarget on 127.0.0.1 and a free port, answering 200. */
export async function startFlipTarget(): Promise<FlipTarget> {
  let up = true;
  const server: Server = createServer((_req, res) => {
    res.statusCode = up ? 200 : 500;
    res.end(up ? "ok" : "broken");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/`, set: (next) => (up = next), close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The on-call team's webhook endpoint, stood in for: it keeps what Vigil POSTs to `/hook` and tells the demo. */
import { createServer } from "node:http";
import { closeHttp, listen } from "./net.ts";

export interface ReceivedHook {
  at: Date;
  event: string;
  title: string;
}

export interface WebhookReceiver {
  port: number;
  url: string;
  received: ReceivedHook[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(onHook: (hook: ReceivedHook) => void): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/hook") {
        res.writeHead(404).end();
        return;
      }
      let body: { event?: unknown; title?: unknown } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
      } catch {
        // Counted all the same.
      }
      const hook = { at: new Date(), event: String(body.event ?? "?"), title: String(body.title ?? "") };
      received.push(hook);
      res.writeHead(204).end();
      onHook(hook);
    });
  });
  const port = await listen(server);
  return { port, url: `http://127.0.0.1:${port}/hook`, received, close: () => closeHttp(server) };
}

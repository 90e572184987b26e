/**
 * The company's "Production API": `/health` answers 200 while it can reach the orders database (`reach`: a TCP
 * connection for the crash-loop story, a MySQL login for the pool story), else 503.
 */
import { createServer } from "node:http";
import { closeHttp, listen } from "./net.ts";

export interface ApiService {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startApiService(reach: () => Promise<boolean>): Promise<ApiService> {
  const server = createServer((req, res) => {
    if (req.url !== "/health") {
      res.writeHead(200, { "content-type": "text/plain" }).end("Acme Production API (demo stand-in): try /health\n");
      return;
    }
    void reach().then((ok) => {
      const body = ok ? { status: "ok" } : { status: "unavailable", error: "cannot reach the orders database" };
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  const port = await listen(server);
  return { port, url: `http://127.0.0.1:${port}`, close: () => closeHttp(server) };
}

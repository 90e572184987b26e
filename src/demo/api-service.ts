/** The company's "Production API": `/health` answers 200 while it can open a connection to the database, else 503. */
import { createServer } from "node:http";
import { canConnect, closeHttp, listen } from "./net.ts";

export interface ApiService {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startApiService(databasePort: number): Promise<ApiService> {
  const server = createServer((req, res) => {
    if (req.url !== "/health") {
      res.writeHead(200, { "content-type": "text/plain" }).end("Acme Production API (demo stand-in): try /health\n");
      return;
    }
    void canConnect(databasePort, 500).then((ok) => {
      const body = ok ? { status: "ok" } : { status: "unavailable", error: "cannot reach the orders database" };
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  const port = await listen(server);
  return { port, url: `http://127.0.0.1:${port}`, close: () => closeHttp(server) };
}

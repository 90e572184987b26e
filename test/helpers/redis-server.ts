import { connect } from "node:net";
import path from "node:path";
import { freePort, launchServer, makeTempDir, onPath, skipReasonUnless, type ServerProcess } from "./server-process.ts";

/**
 * A throwaway redis-server owned by one test file (temp dir, free loopback port, no persistence),
 * which the tests may kill and start again: the same command as `redis_up` in ci/services.sh.
 */
export interface RedisServer extends ServerProcess {
  /** With the password the server requires. */
  url: string;
  password: string;
  /** The `--maxclients` the server was started with. */
  maxClients: number;
}

const password = "redis-secret-pw";

const redisServer = onPath("redis-server", ["/usr/bin", "/usr/local/bin"]);

/** Why the Redis tests cannot run here, or undefined when they can (or must: VIGIL_REQUIRE_SERVERS=1). */
export function redisSkipReason(): string | undefined {
  return skipReasonUnless(redisServer !== undefined, "redis-server is not installed: apt-get install redis-server");
}

/** Starts redis-server on a free loopback port, requiring a password. */
export async function startRedis(options: { maxClients?: number } = {}): Promise<RedisServer> {
  if (!redisServer) throw new Error("VIGIL_REQUIRE_SERVERS=1 but redis-server is not installed");
  const maxClients = options.maxClients ?? 77;
  const dir = makeTempDir("vigil-redis-");
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"];
  args.push("--dir", dir, "--maxclients", String(maxClients), "--requirepass", password);
  const server = await launchServer({
    name: "redis-server",
    dir,
    port,
    command: redisServer,
    args,
    spawnOptions: { cwd: dir },
    outputFile: path.join(dir, "server.log"),
    readyWithinMs: 15_000,
    pollMs: 50,
    answers: () => answersPing(port),
  });
  return { ...server, url: `redis://:${password}@127.0.0.1:${port}`, password, maxClients };
}

/** Resolves when something on `port` answers PING like Redis (NOAUTH counts: it is up, and wants the password). */
function answersPing(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const done = (err?: Error) => {
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    socket.setTimeout(1000, () => done(new Error("no answer to PING within 1 s")));
    socket.once("error", done);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      const reply = data.toString("latin1");
      done(/^(\+PONG|-NOAUTH)/.test(reply) ? undefined : new Error(`PING answered ${JSON.stringify(reply.slice(0, 80))}`));
    });
  });
}

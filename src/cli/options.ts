import { InvalidArgumentError, Option } from "commander";

/** --port, parsed and range-checked; a bad value is a usage error. */
export function portOption(): Option {
  return new Option("-p, --port <port>", "port to listen on (default: server.port or 8080; 0 picks a free one)").argParser((text) => {
    const port = Number(text);
    if (!/^\d+$/.test(text) || port > 65535) throw new InvalidArgumentError("expected a port number from 0 to 65535");
    return port;
  });
}

export function configOption(): Option {
  return new Option("-c, --config <file>", "configuration file (default: ./vigil.yaml, else the bundled example)");
}

export function dataOption(): Option {
  return new Option("-d, --data <dir>", "data directory of the embedded store (default: storage.data_dir or ./.vigil)");
}

export function logOptions(): Option[] {
  return [
    new Option("--log-format <format>", "log format (default: pretty on a terminal, else json)").choices(["json", "pretty"]),
    new Option("--log-level <level>", "log level").choices(["fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
  ];
}

import { pino, type Logger, type LoggerOptions } from "pino";

/** Paths pino blanks out wherever they appear in a log line. */
export const redactedPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-vigil-signature"]',
  "*.password",
  "*.secret",
  "*.token",
  "*.authorization",
  "*.url_with_credentials",
];

/** Options of the process logger. */
export interface LoggerSettings {
  level?: string;
  /** Human-readable lines instead of JSON (the CLI turns this on for a TTY). */
  pretty?: boolean;
  /** Where lines go; stdout when absent. Tests pass a stream to read them. */
  destination?: NodeJS.WritableStream;
}

/** Creates the one process logger: JSON lines, secrets redacted. */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? "info",
    base: { service: "vigil" },
    redact: { paths: redactedPaths, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (settings.pretty) {
    return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service" } } });
  }
  return settings.destination ? pino(options, settings.destination as pino.DestinationStream) : pino(options);
}

export type { Logger };

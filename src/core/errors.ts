/** The closed set of error codes Vigil reports; each maps to exactly one HTTP status in api/errors.ts. */
export const errorCodes = [
  "bad_request",
  "validation_failed",
  "unauthorized",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "conflict",
  "payload_too_large",
  "headers_too_large",
  "unsupported_media_type",
  "rate_limited",
  "timeout",
  "config_invalid",
  "store_unavailable",
  "data_dir_locked",
  "leader_unavailable",
  "internal",
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** One detail of an error: where (a path in the input or a file position) and what. */
export interface ErrorDetail {
  path?: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

/** The one error type Vigil raises on purpose; anything else is a bug and reported as `internal`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[];

  constructor(code: ErrorCode, message: string, options: { details?: readonly ErrorDetail[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options.details ?? [];
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

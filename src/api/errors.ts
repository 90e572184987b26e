import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { AppError, type ErrorCode, type ErrorDetail } from "../core/errors.ts";

/** The single mapping from error code to HTTP status. */
export const httpStatusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  config_invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  timeout: 408,
  conflict: 409,
  payload_too_large: 413,
  headers_too_large: 431,
  unsupported_media_type: 415,
  rate_limited: 429,
  data_dir_locked: 503,
  store_unavailable: 503,
  leader_unavailable: 503,
  internal: 500,
};

/** The one error body Vigil answers with. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: ErrorDetail[]; request_id?: string };
}

/** Fastify's own errors (body parsing, limits) mapped onto Vigil's codes. */
const fastifyCodes: Record<string, { code: ErrorCode; message: (e: FastifyError) => string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: "payload_too_large", message: () => "the request body is larger than the server's body limit" },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: "bad_request", message: () => "the request body is not valid JSON" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: "bad_request", message: () => "the request declares a JSON body but sends none" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: "unsupported_media_type", message: () => "the request body must be application/json" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: "bad_request", message: () => "the Content-Length header does not match the body" },
  FST_ERR_BAD_URL: { code: "bad_request", message: () => "the request URL is malformed" },
};

/** Converts anything thrown into an AppError, keeping the cause for the log. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const fe = error as Partial<FastifyError>;
  if (typeof fe.code === "string" && fastifyCodes[fe.code]) {
    const known = fastifyCodes[fe.code]!;
    return new AppError(known.code, known.message(fe as FastifyError), { cause: error });
  }
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (error instanceof SyntaxError && statusCode === 400) {
    return new AppError("bad_request", "the request body is not valid JSON", { cause: error });
  }
  if (statusCode === 413) {
    return new AppError("payload_too_large", "the request body is larger than the server's body limit", { cause: error });
  }
  return new AppError("internal", "internal error; the server log has the details", { cause: error });
}

export function errorBody(error: AppError, requestId?: string): ErrorBody {
  return { error: { code: error.code, message: error.message, details: [...error.details], ...(requestId ? { request_id: requestId } : {}) } };
}

/** Fastify error handler: log what is ours to fix, answer everyone with the one error body. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const appError = toAppError(error);
  const status = httpStatusOf[appError.code];
  if (status >= 500) request.log.error({ err: error, code: appError.code }, "request failed");
  else request.log.info({ code: appError.code, msg_detail: appError.message }, "request rejected");
  if (appError.code === "unauthorized") void reply.header("www-authenticate", 'Bearer realm="vigil"');
  return reply.status(status).type("application/json; charset=utf-8").send(errorBody(appError, request.id));
}

/** 405 for a path that exists but not with this method, with the methods it takes in `Allow`. */
export function handleWrongMethod(request: FastifyRequest, reply: FastifyReply, allowed: readonly string[]): FastifyReply {
  const error = new AppError("method_not_allowed", `${request.method} is not allowed on ${request.url.split("?")[0]}; it takes ${allowed.join(", ")}`);
  return reply.status(405).header("allow", allowed.join(", ")).send(errorBody(error, request.id));
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = new AppError("not_found", `no route for ${request.method} ${request.url.split("?")[0]}`);
  return reply.status(404).send(errorBody(error, request.id));
}

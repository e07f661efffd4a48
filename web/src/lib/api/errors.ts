import type { components } from "./schema";

export type ErrorBody = components["schemas"]["ErrorBody"];

/** Codes the client itself produces when no envelope came back. */
export type ClientErrorCode = "network_error" | "unexpected_response";

/**
 * Every failed call, as one type: the server's error envelope
 * `{"error": {"code", "message", "details"}}` plus the HTTP status (0 when the network failed).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code;
    this.details = body.details ?? {};
  }

  get isUnauthenticated(): boolean {
    return this.status === 401;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }
}

function isEnvelope(value: unknown): value is { error: ErrorBody } {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as ErrorBody).code === "string" &&
    typeof (error as ErrorBody).message === "string"
  );
}

/** A failed response's parsed body (or none) → an ApiError. */
export function toApiError(status: number, body: unknown): ApiError {
  if (isEnvelope(body)) return new ApiError(status, body.error);
  return new ApiError(status, {
    code: "unexpected_response",
    message: `The server answered ${status} without an error message.`,
    details: {},
  });
}

export function networkError(cause: unknown): ApiError {
  const error = new ApiError(0, {
    code: "network_error",
    message: "Can't reach the server. Check your connection and try again.",
    details: {},
  });
  error.cause = cause;
  return error;
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/** A message fit to show a person, whatever was thrown. */
export function errorMessage(error: unknown): string {
  if (isApiError(error)) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

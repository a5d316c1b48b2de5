// Typed API errors and the one JSON error format (ARCHITECTURE.md, principle 7):
// {"error": {"code", "message", "field"?}}; unexpected errors say only "internal" and a request id.

export class ApiError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 503;
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: ApiError["status"], code: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export const badRequest = (code: string, message: string, field?: string) =>
  new ApiError(400, code, message, field);
export const notFound = (message = "Nothing is here.", field?: string) =>
  new ApiError(404, "not_found", message, field);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);

export function errorBody(
  code: string,
  message: string,
  extra: { field?: string | undefined; requestId?: string } = {},
) {
  return {
    error: {
      code,
      message,
      ...(extra.field !== undefined ? { field: extra.field } : {}),
      ...(extra.requestId !== undefined ? { requestId: extra.requestId } : {}),
    },
  };
}

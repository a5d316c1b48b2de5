// The pages' one way to call the API: JSON in and out, the body's SHA-256 sent as x-amz-content-sha256
// (the edge signs its origin request with it and Lambda takes no unsigned payload), and the API's JSON
// error format turned into an ApiRequestError the page can show next to the field it names.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html

/** The API's error body: {"error": {"code", "message", "field"?, "requestId"?}}. */
export interface ApiErrorDetail {
  code: string;
  message: string;
  field?: string;
  requestId?: string;
}

export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly requestId: string | undefined;
  constructor(status: number, detail: ApiErrorDetail) {
    super(detail.message);
    this.name = "ApiRequestError";
    this.status = status;
    this.code = detail.code;
    this.field = detail.field;
    this.requestId = detail.requestId;
  }
}

export interface ApiCallOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** Extra request headers, such as a capability secret that must stay out of the URL and the logs. */
  headers?: Record<string, string>;
  /** The fetch to use; the page's own by default. */
  fetch?: typeof fetch;
}

/** Lower-case hex of the SHA-256 of `bytes`, as x-amz-content-sha256 carries it. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let hex = "";
  for (const byte of digest) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

function isErrorDetail(value: unknown): value is ApiErrorDetail {
  if (value === null || typeof value !== "object") return false;
  const { code, message } = value as Record<string, unknown>;
  return typeof code === "string" && typeof message === "string";
}

/** Reads an error response; anything not in the API's format (an edge or origin page) gets a generic one. */
async function errorFrom(response: Response): Promise<ApiRequestError> {
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const detail = (parsed as { error?: unknown } | undefined)?.error;
  if (isErrorDetail(detail)) return new ApiRequestError(response.status, detail);
  return new ApiRequestError(response.status, {
    code: response.status >= 500 ? "unavailable" : "refused",
    message:
      response.status >= 500
        ? "The service is not answering just now. Please try again in a moment."
        : `The request was refused (${response.status}).`,
  });
}

/** Calls `path` (e.g. "/api/cards") and returns its JSON; a non-2xx answer throws ApiRequestError. */
export async function callApi<Result>(path: string, options: ApiCallOptions = {}): Promise<Result> {
  const send = options.fetch ?? fetch;
  const headers = new Headers({ ...options.headers, accept: "application/json" });
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (options.body !== undefined) {
    // Hash exactly the bytes sent: the function URL recomputes it over what arrives.
    body = new TextEncoder().encode(JSON.stringify(options.body));
    headers.set("content-type", "application/json");
    headers.set("x-amz-content-sha256", await sha256Hex(body));
  }
  const response = await send(path, {
    method: options.method ?? (body ? "POST" : "GET"),
    headers,
    ...(body ? { body } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as Result;
  return (await response.json()) as Result;
}

// A test client for the cards API through the local edge: raw bodies (so malformed JSON can be sent),
// the body's SHA-256 in x-amz-content-sha256 as the pages send it, and the answer's status, headers, JSON.
import { createHash } from "node:crypto";

export interface ApiAnswer {
  status: number;
  headers: Headers;
  json: unknown;
}

export interface Call {
  method?: string;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  headers?: Record<string, string>;
}

export async function call(base: string, path: string, options: Call = {}): Promise<ApiAnswer> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] = "application/json";
    headers["x-amz-content-sha256"] = createHash("sha256").update(body).digest("hex");
  }
  const response = await fetch(`${base}${path}`, {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, json };
}

/** A valid create body, due `daysAhead` after 2027-03-01 (the clock the tests run the stack at). */
export function cardBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    design: "balloon-bunch",
    title: "Happy birthday, Sam!",
    recipientName: "Sam",
    recipientEmail: "sam@example.com",
    senderName: "Alex",
    senderEmail: "alex@example.com",
    deliverAt: "2027-04-15T09:00",
    timeZone: "Europe/London",
    ...overrides,
  };
}

export const testNow = new Date("2027-03-01T09:00:00Z");

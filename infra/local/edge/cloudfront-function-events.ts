// CloudFront Functions' events as HTTP for the local edge: the viewer's request and the response as the
// function's event, and what the function returns turned back into HTTP parts.
import type {
  CloudFrontFunctionEvent,
  CloudFrontFunctionRequest,
  CloudFrontFunctionResponse,
  CookieValue,
  FunctionValue,
} from "../../../edge/aws/cloudfront-function-event.ts";
import { functionQueryString } from "./cloudfront-function-result.ts";
import { capitaliseHeaderName } from "./header-rules.ts";
import { cookiePairs, queryPairs } from "./viewer-values.ts";

type Pairs = [string, string][];

function collect(pairs: Pairs): Record<string, FunctionValue> {
  const map: Record<string, FunctionValue> = {};
  for (const [name, value] of pairs) {
    const existing = map[name];
    if (!existing) map[name] = { value };
    else existing.multiValue = [...(existing.multiValue ?? [{ value: existing.value }]), { value }];
  }
  return map;
}

/** The values that go on: `multiValue` when there is one (the runtime applied CloudFront's rule to it). */
function expand(map: Record<string, FunctionValue>): Pairs {
  return Object.entries(map).flatMap(([name, entry]) =>
    entry.multiValue && entry.multiValue.length > 0
      ? entry.multiValue.map((item) => [name, item.value] as [string, string])
      : [[name, entry.value] as [string, string]],
  );
}

export function viewerRequestEvent(input: {
  method: string;
  uri: string;
  rawQuery: string;
  headers: Pairs;
  viewerIp: string;
  context: { distributionDomainName: string; distributionId: string; requestId: string };
}): CloudFrontFunctionEvent {
  const query = queryPairs(input.rawQuery);
  const cookies = cookiePairs(input.headers);
  return {
    version: "1.0",
    context: { ...input.context, eventType: "viewer-request" },
    viewer: { ip: input.viewerIp },
    request: {
      method: input.method,
      uri: input.uri,
      querystring: collect(query),
      headers: collect(
        input.headers
          .filter(([name]) => name.toLowerCase() !== "cookie")
          .map(([n, v]) => [n.toLowerCase(), v]),
      ),
      cookies: collect(cookies),
    },
  };
}

export function viewerResponseEvent(
  requestEvent: CloudFrontFunctionEvent,
  response: { status: number; statusText: string; headers: Pairs },
): CloudFrontFunctionEvent {
  const setCookies = response.headers.filter(([name]) => name.toLowerCase() === "set-cookie");
  const cookies: Record<string, CookieValue> = {};
  for (const [, line] of setCookies) {
    const [pair = "", ...attributes] = line.split(";");
    const equals = pair.indexOf("=");
    const name = (equals === -1 ? pair : pair.slice(0, equals)).trim();
    const value = equals === -1 ? "" : pair.slice(equals + 1).trim();
    const entry = { value, attributes: attributes.map((a) => a.trim()).join("; ") };
    const existing = cookies[name];
    if (!existing) cookies[name] = entry;
    else existing.multiValue = [...(existing.multiValue ?? [{ ...existing }]), entry];
  }
  return {
    ...requestEvent,
    context: { ...requestEvent.context, eventType: "viewer-response" },
    response: {
      statusCode: response.status,
      statusDescription: response.statusText,
      headers: collect(
        response.headers
          .filter(([name]) => name.toLowerCase() !== "set-cookie")
          .map(([n, v]) => [n.toLowerCase(), v]),
      ),
      cookies,
    },
  };
}

export function httpRequestFromFunction(request: CloudFrontFunctionRequest): {
  uri: string;
  rawQuery: string;
  headers: Pairs;
} {
  const cookies = expand(request.cookies ?? {});
  return {
    uri: request.uri,
    rawQuery: functionQueryString(request.querystring),
    headers: [
      ...expand(request.headers ?? {}),
      ...(cookies.length > 0
        ? [["cookie", cookies.map(([n, v]) => `${n}=${v}`).join("; ")] as [string, string]]
        : []),
    ],
  };
}

export function httpResponseFromFunction(response: CloudFrontFunctionResponse): {
  status: number;
  statusText: string;
  headers: Pairs;
  body?: Buffer;
} {
  const headers: Pairs = expand(response.headers ?? {}).map(([name, value]) => [
    capitaliseHeaderName(name),
    value,
  ]);
  for (const [name, cookie] of Object.entries(response.cookies ?? {})) {
    const items = cookie.multiValue && cookie.multiValue.length > 0 ? cookie.multiValue : [cookie];
    for (const item of items)
      headers.push([
        "Set-Cookie",
        `${name}=${item.value}${"attributes" in item && item.attributes ? `; ${item.attributes}` : ""}`,
      ]);
  }
  const body =
    response.body === undefined
      ? undefined
      : typeof response.body === "string"
        ? Buffer.from(response.body)
        : Buffer.from(response.body.data, response.body.encoding === "base64" ? "base64" : "utf8");
  return {
    status: response.statusCode,
    statusText: response.statusDescription ?? "",
    headers,
    ...(body ? { body } : {}),
  };
}

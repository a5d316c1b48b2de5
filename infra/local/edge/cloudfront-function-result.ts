// What CloudFront makes of a CloudFront Function's result: the checks that turn a bad one into a 502, and
// the multiValue rule that decides which values go on.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html
import type {
  CloudFrontFunctionEvent,
  CloudFrontFunctionRequest,
  CloudFrontFunctionResponse,
  FunctionValue,
} from "../../../edge/aws/cloudfront-function-event.ts";
import type { FunctionOriginOverride } from "./cloudfront-origin-helpers.ts";
import { uriAndQueryProblem } from "./function-uri-rules.ts";
import { headerRefusal, isReadOnlyHeader } from "./header-rules.ts";

export type CloudFrontFunctionOutcome =
  | { type: "request"; request: CloudFrontFunctionRequest; origin?: FunctionOriginOverride; logs: string[] }
  | { type: "response"; response: CloudFrontFunctionResponse; logs: string[] }
  | { type: "error"; status: 502 | 503; reason: string; logs: string[] };

type EventType = CloudFrontFunctionEvent["context"]["eventType"];
type ValueMap = Record<string, FunctionValue>;

function headerProblem(eventType: EventType, before: ValueMap | undefined, after: ValueMap | undefined) {
  for (const [name, value] of Object.entries(after ?? {})) {
    const refusal = headerRefusal(eventType, name);
    if (refusal) return refusal;
    if (isReadOnlyHeader(eventType, name) && JSON.stringify(value) !== JSON.stringify(before?.[name]))
      return `header ${name} is read-only in ${eventType}`;
    if (!value || typeof value.value !== "string") return `header ${name} has no string value`;
  }
  for (const name of Object.keys(before ?? {}))
    if (isReadOnlyHeader(eventType, name) && !(after && name in after))
      return `header ${name} is read-only in ${eventType}`;
  return undefined;
}

/**
 * CloudFront's rule for a name with several values: a changed `multiValue` is applied and `value` ignored;
 * otherwise a changed `value` replaces the first value and the later ones stay (aws-edge-facts.md A6).
 * Returns the map with `multiValue` saying what goes on.
 */
export function applyMultiValueRule<T extends FunctionValue>(
  before: Record<string, T> | undefined,
  after: Record<string, T>,
): Record<string, T> {
  const applied: Record<string, T> = {};
  for (const [name, entry] of Object.entries(after)) {
    const original = before?.[name];
    const unchanged =
      original?.multiValue !== undefined &&
      JSON.stringify(entry?.multiValue) === JSON.stringify(original.multiValue);
    const [, ...later] = entry?.multiValue ?? [];
    applied[name] =
      unchanged && entry.value !== original.value
        ? ({ ...entry, multiValue: [{ ...entry.multiValue?.[0], value: entry.value }, ...later] } as T)
        : entry;
  }
  return applied;
}

/** The query string as it goes on, from either form a function may return. */
export function functionQueryString(
  querystring: CloudFrontFunctionRequest["querystring"] | undefined,
): string {
  if (typeof querystring === "string") return querystring.replace(/^\?/, "");
  return Object.entries(querystring ?? {})
    .flatMap(([name, entry]) =>
      (entry.multiValue && entry.multiValue.length > 0 ? entry.multiValue : [entry]).map((item) =>
        item.value === "" ? name : `${name}=${item.value}`,
      ),
    )
    .join("&");
}

export function judgeResult(
  event: CloudFrontFunctionEvent,
  result: unknown,
  logs: string[],
  origin: FunctionOriginOverride | undefined,
): CloudFrontFunctionOutcome {
  const invalid = (reason: string): CloudFrontFunctionOutcome => ({
    type: "error",
    status: 502,
    reason,
    logs,
  });
  const eventType = event.context.eventType;
  if (!result || typeof result !== "object") return invalid("the handler returned no request or response");
  const object = result as Record<string, unknown>;
  if ("statusCode" in object) {
    const response = object as unknown as CloudFrontFunctionResponse;
    if (!Number.isInteger(response.statusCode) || response.statusCode < 100 || response.statusCode > 599)
      return invalid(`statusCode must be an integer status, got ${JSON.stringify(response.statusCode)}`);
    const before = eventType === "viewer-response" ? event.response : undefined;
    const problem = headerProblem(eventType, before?.headers ?? {}, response.headers);
    if (problem) return invalid(problem);
    if (
      typeof response.body === "object" &&
      response.body !== null &&
      response.body.encoding === "base64" &&
      !/^[A-Za-z0-9+/]*={0,2}$/.test(response.body.data)
    )
      return invalid("body is not valid base64");
    return {
      type: "response",
      response: {
        ...response,
        ...(response.headers ? { headers: applyMultiValueRule(before?.headers, response.headers) } : {}),
        ...(response.cookies ? { cookies: applyMultiValueRule(before?.cookies, response.cookies) } : {}),
      },
      logs,
    };
  }
  if (eventType === "viewer-response") return invalid("a viewer-response function must return the response");
  const request = object as unknown as CloudFrontFunctionRequest;
  if (request.method !== event.request.method) return invalid("request.method is read-only");
  if (typeof request.uri !== "string" || !request.uri.startsWith("/"))
    return invalid("request.uri must start with /");
  const problem = headerProblem("viewer-request", event.request.headers, request.headers);
  if (problem) return invalid(problem);
  const applied: CloudFrontFunctionRequest = {
    ...request,
    headers: applyMultiValueRule(event.request.headers, request.headers ?? {}),
    cookies: applyMultiValueRule(event.request.cookies, request.cookies ?? {}),
    querystring:
      typeof request.querystring === "string"
        ? request.querystring
        : applyMultiValueRule(
            typeof event.request.querystring === "string" ? undefined : event.request.querystring,
            request.querystring ?? {},
          ),
  };
  const query = functionQueryString(applied.querystring);
  const uriProblem = uriAndQueryProblem(request.uri, query);
  if (uriProblem) return invalid(uriProblem);
  return { type: "request", request: applied, ...(origin ? { origin } : {}), logs };
}

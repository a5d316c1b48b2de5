// Converts the Lambda function URL event to a Web Request and a Web Response back to the result, so the
// API in between knows nothing of AWS.
import type {
  FunctionUrlEvent,
  FunctionUrlHandler,
  FunctionUrlResult,
  LambdaContext,
} from "./function-url-event.ts";

export function toRequest(event: FunctionUrlEvent): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) headers.set(name, value);
  if (event.cookies && event.cookies.length > 0) headers.set("cookie", event.cookies.join("; "));
  const host = event.headers.host ?? event.requestContext.domainName;
  const url = `https://${host}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ""}`;
  const method = event.requestContext.http.method;
  const hasBody = event.body !== undefined && method !== "GET" && method !== "HEAD";
  return new Request(url, {
    method,
    headers,
    ...(hasBody
      ? { body: event.isBase64Encoded ? Buffer.from(event.body as string, "base64") : (event.body as string) }
      : {}),
  });
}

const textTypes = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded))/i;

export async function toResult(response: Response): Promise<FunctionUrlResult> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = textTypes.test(response.headers.get("content-type") ?? "text/plain");
  return {
    statusCode: response.status,
    headers,
    ...(cookies.length > 0 ? { cookies } : {}),
    body: text ? bytes.toString("utf8") : bytes.toString("base64"),
    isBase64Encoded: !text,
  };
}

/** The Lambda handler for a Web-standard `fetch(request)` application. */
export function handle(app: {
  fetch: (request: Request, context: { requestId: string }) => Response | Promise<Response>;
}): FunctionUrlHandler {
  return async (event: FunctionUrlEvent, context: LambdaContext) =>
    toResult(await app.fetch(toRequest(event), { requestId: context.awsRequestId }));
}

// One trip to the origin, as CloudFront makes it on a cache miss: the origin chosen (a viewer-request
// function may override it), the origin request policy applied, the origin-request trigger, the request
// itself with CloudFront's connection attempts and timeouts, then the origin-response trigger.
import { Readable } from "node:stream";
import type { BehaviourDeclaration, DistributionDeclaration } from "../../../edge/distribution.ts";
import type { EdgeContext, EdgeFunctions, HttpRequestParts, HttpResponseParts } from "./edge-functions.ts";
import { type OriginEndpoint, sendToOrigin } from "./origin-client.ts";
import { overriddenOrigin, withOriginCustomHeaders } from "./origin-override.ts";
import { cloudFrontOriginHeaders, originRequestFor, withEdgeValidators } from "./origin-request-policy.ts";
import { selectOrigin } from "./origin-selection.ts";

export interface OriginTripOptions {
  distribution: DistributionDeclaration;
  /** Where each declared origin is reachable locally, by origin id. */
  origins: Readonly<Record<string, OriginEndpoint>>;
  functions: EdgeFunctions;
  /** The stack's diagnostic log. */
  log: (message: string) => void;
  /** This edge's Via value, sent to origins. */
  via: string;
}

export type OriginTrip =
  | { type: "response"; response: HttpResponseParts & { body: Buffer }; generated: boolean }
  | { type: "error"; status: number; detailedResultType: string };

/** Origin-request trigger, the origin itself, then the origin-response trigger: only ever on a miss. */
export async function originTrip(
  options: OriginTripOptions,
  behaviour: BehaviourDeclaration,
  viewerRequest: HttpRequestParts,
  body: Readable | undefined,
  context: EdgeContext,
  revalidation: [string, string][] = [],
): Promise<OriginTrip> {
  const { distribution, origins, functions, log, via } = options;
  // A viewer-request function's origin helpers choose the origin and shape how it is asked.
  const chosen = overriddenOrigin(distribution, behaviour.originId, viewerRequest.originOverride);
  for (const what of chosen.notHonoured)
    log(`${viewerRequest.uri}: origin override not honoured locally: ${what}`);
  const origin = selectOrigin(distribution, origins, chosen.declaration.id);
  let request = withEdgeValidators(
    originRequestFor(behaviour, viewerRequest),
    viewerRequest.method,
    revalidation,
  );

  const originRequest = behaviour.functions.originRequest;
  if (originRequest) {
    const result = await functions.originRequest(originRequest, request, context, origin.lambdaEdge, body);
    if (result.type === "error")
      return { type: "error", status: result.status, detailedResultType: result.detailedResultType };
    // A response generated on the origin request is cached like an origin's; origin-response is skipped.
    if (result.type === "response")
      return {
        type: "response",
        response: { ...result.response, body: result.response.body ?? Buffer.alloc(0) },
        generated: true,
      };
    request = result.request;
    if (result.body) body = Readable.from([result.body]);
  }

  const result = await sendToOrigin(origin.endpoint, chosen.connection, {
    ...request,
    uri: chosen.originPath + request.uri,
    headers: withOriginCustomHeaders(
      cloudFrontOriginHeaders(request, origin.declaration, context, via),
      chosen.customHeaders,
    ),
    body,
  });
  if (result.type === "error") {
    log(
      `origin ${origin.declaration.id} ${request.method} ${request.uri}: ${result.detailedResultType} after ${result.attempts} attempt(s)`,
    );
    return {
      type: "error",
      status: result.detailedResultType === "OriginReadTimeout" ? 504 : 502,
      detailedResultType: result.detailedResultType,
    };
  }
  let response: HttpResponseParts & { body: Buffer } = result;

  const originResponse = behaviour.functions.originResponse;
  if (originResponse) {
    const modified = await functions.originResponse(
      originResponse,
      request,
      response,
      context,
      origin.lambdaEdge,
    );
    if (modified.type === "error")
      return { type: "error", status: modified.status, detailedResultType: modified.detailedResultType };
    response = { ...modified.response, body: modified.response.body ?? Buffer.alloc(0) };
  }
  return { type: "response", response, generated: false };
}

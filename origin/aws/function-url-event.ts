// The Lambda function URL payload (format 2.0) and result shapes.
// https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads

export interface FunctionUrlEvent {
  version: "2.0";
  routeKey: "$default";
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: "$default";
    stage: "$default";
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

/** https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-response-payload */
export interface FunctionUrlResult {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

/** The parts of the Lambda context the API uses. */
export interface LambdaContext {
  awsRequestId: string;
  functionName?: string;
  getRemainingTimeInMillis?: () => number;
}

export type FunctionUrlHandler = (
  event: FunctionUrlEvent,
  context: LambdaContext,
) => Promise<FunctionUrlResult>;

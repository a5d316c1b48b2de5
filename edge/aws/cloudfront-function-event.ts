// The CloudFront Functions (cloudfront-js-2.0) event and result shapes, for functions and their runtime.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html

/** A query string, header or cookie: repeated names carry every value in `multiValue`. */
export interface FunctionValue {
  value: string;
  multiValue?: { value: string }[];
}
/** Response cookies also carry their attributes ("Secure; Path=/"). */
export interface CookieValue extends FunctionValue {
  attributes?: string;
  multiValue?: { value: string; attributes?: string }[];
}
/** `querystring` may come back as a string ("a=1&b=2"), which CloudFront accepts. */
export interface CloudFrontFunctionRequest {
  method: string;
  uri: string;
  querystring: Record<string, FunctionValue> | string;
  headers: Record<string, FunctionValue>;
  cookies: Record<string, FunctionValue>;
}
export interface CloudFrontFunctionResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, FunctionValue>;
  cookies?: Record<string, CookieValue>;
  body?: string | { encoding: "text" | "base64"; data: string };
}
export interface CloudFrontFunctionEvent {
  version: "1.0";
  context: {
    distributionDomainName: string;
    distributionId: string;
    eventType: "viewer-request" | "viewer-response";
    requestId: string;
  };
  viewer: { ip: string };
  request: CloudFrontFunctionRequest;
  response?: CloudFrontFunctionResponse;
}

// The Lambda@Edge CloudFront event record and result shapes, for edge handlers and their runtime.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html

export type LambdaEdgeEventType = "viewer-request" | "origin-request" | "origin-response" | "viewer-response";

type OriginCustomHeaders = Record<string, { key?: string; value: string }[]>;

/** Where an origin event's request goes; a function may change it. */
export type CloudFrontOrigin =
  | {
      custom: {
        customHeaders: OriginCustomHeaders;
        domainName: string;
        keepaliveTimeout: number;
        path: string;
        port: number;
        protocol: "http" | "https";
        readTimeout: number;
        sslProtocols: string[];
      };
    }
  | {
      s3: {
        authMethod: "origin-access-identity" | "none";
        customHeaders: OriginCustomHeaders;
        domainName: string;
        path: string;
        region: string;
      };
    };

export type CloudFrontHeaders = Record<string, { key?: string; value: string }[]>;
/**
 * The viewer's body, in request events of a function associated with Include Body: base64 of at most
 * 40 KB (viewer request) or 1 MB (origin request). A function sets `action: "replace"` to send its own.
 */
export interface CloudFrontLambdaRequestBody {
  inputTruncated: boolean;
  action: "read-only" | "replace";
  encoding: "base64" | "text";
  data: string;
}
export interface CloudFrontLambdaRequest {
  clientIp: string;
  method: string;
  uri: string;
  querystring: string;
  headers: CloudFrontHeaders;
  body?: CloudFrontLambdaRequestBody;
  /** Only in origin events: exactly one of `custom` or `s3`. */
  origin?: CloudFrontOrigin;
}
export interface CloudFrontLambdaResponse {
  status: string;
  statusDescription?: string;
  headers?: CloudFrontHeaders;
  body?: string;
  bodyEncoding?: "text" | "base64";
}
export interface LambdaEdgeConfig {
  distributionDomainName: string;
  distributionId: string;
  eventType: LambdaEdgeEventType;
  requestId: string;
}

/** The event a handler receives: one record, `Records[0].cf`. */
export interface CloudFrontLambdaEvent {
  Records: [
    {
      cf: {
        config: LambdaEdgeConfig;
        request: CloudFrontLambdaRequest;
        response?: CloudFrontLambdaResponse;
      };
    },
  ];
}

/** A handler returns the (modified) request, or a generated or modified response. */
export type LambdaEdgeHandler = (
  event: CloudFrontLambdaEvent,
) => Promise<CloudFrontLambdaRequest | CloudFrontLambdaResponse>;

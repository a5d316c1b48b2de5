// Which origin a request goes to, and how origin-event Lambda@Edge functions see it. One small place, so
// a viewer-request function's origin override (CloudFront Functions' origin helpers) lands here too.
import type { DistributionDeclaration, OriginDeclaration } from "../../../edge/distribution.ts";
import type { LambdaEdgeOrigin } from "./edge-functions.ts";
import type { OriginEndpoint } from "./origin-client.ts";

export interface SelectedOrigin {
  declaration: OriginDeclaration;
  endpoint: OriginEndpoint;
  /** The `origin` object origin-event Lambda@Edge functions see. */
  lambdaEdge: LambdaEdgeOrigin;
}

export function selectOrigin(
  distribution: DistributionDeclaration,
  endpoints: Readonly<Record<string, OriginEndpoint>>,
  originId: string,
): SelectedOrigin {
  const declaration = distribution.origins.find((origin) => origin.id === originId);
  const endpoint = endpoints[originId];
  if (!declaration || !endpoint) throw new Error(`origin ${originId} is not declared and configured`);
  return { declaration, endpoint, lambdaEdge: lambdaEdgeOrigin(declaration, endpoint) };
}

function lambdaEdgeOrigin(declaration: OriginDeclaration, endpoint: OriginEndpoint): LambdaEdgeOrigin {
  const url = new URL(endpoint.url);
  if (declaration.kind === "s3-bucket") {
    return {
      s3: {
        authMethod: "none",
        customHeaders: {},
        domainName: `${url.pathname.replace(/^\//, "")}.s3.us-east-1.amazonaws.com`,
        path: "",
        region: "us-east-1",
      },
    };
  }
  return {
    custom: {
      customHeaders: {},
      domainName: url.hostname,
      keepaliveTimeout: 5,
      path: "",
      port: Number(url.port) || 443,
      protocol: "https",
      readTimeout: declaration.connection.readTimeoutSeconds,
      sslProtocols: ["TLSv1.2"],
    },
  };
}

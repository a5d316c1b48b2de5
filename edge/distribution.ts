// The one description of the CloudFront distribution: origins, cache policies and behaviours.
// The CDK app renders it into AWS::CloudFront resources and the local edge renders it into an HTTP
// server, so no routing or caching rule is ever written twice (ARCHITECTURE.md, principle 2).

import { type WebAclDeclaration, webAcl } from "./firewall.ts";

/** Where a behaviour sends cache misses. */
export type OriginDeclaration =
  | {
      readonly id: string;
      /** An S3 bucket reached through Origin Access Control (requests signed with SigV4). */
      readonly kind: "s3-bucket";
      readonly bucket: "site" | "images";
      readonly connection: OriginConnectionDeclaration;
    }
  | {
      readonly id: string;
      /** A Lambda function URL reached through Origin Access Control (AWS_IAM auth). */
      readonly kind: "lambda-function-url";
      readonly function: "api";
      readonly connection: OriginConnectionDeclaration;
    };

/**
 * How hard CloudFront tries an origin: connection attempts (1–3), seconds to wait for each connection
 * (1–10), and the read timeout (first byte and between packets).
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html
 */
export interface OriginConnectionDeclaration {
  readonly attempts: 1 | 2 | 3;
  readonly connectionTimeoutSeconds: number;
  readonly readTimeoutSeconds: number;
}

/** Which viewer values a policy takes, as CloudFront's *Config behaviours name them. */
export type ValueSelection =
  | { readonly behavior: "none" }
  | { readonly behavior: "all" }
  | { readonly behavior: "allowList"; readonly names: readonly string[] };

/**
 * A cache policy: what makes up the cache key (and so is also sent to the origin) and how long objects
 * stay. https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CachePolicyConfig.html
 */
export interface CachePolicyDeclaration {
  readonly name: string;
  readonly minTtlSeconds: number;
  readonly defaultTtlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly queryStrings: ValueSelection;
  /** Headers can only be allowlisted in a cache key; "all" is not offered by CloudFront. */
  readonly headers: Exclude<ValueSelection, { behavior: "all" }>;
  readonly cookies: ValueSelection;
  /** Normalised Accept-Encoding (gzip/br) in the key, so compressed copies are cached apart. */
  readonly acceptEncoding: { readonly gzip: boolean; readonly brotli: boolean };
}

/**
 * Extra viewer values sent to the origin but kept out of the cache key.
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginRequestPolicyConfig.html
 */
export interface OriginRequestPolicyDeclaration {
  readonly name: string;
  readonly queryStrings: ValueSelection;
  readonly headers:
    | ValueSelection
    | { readonly behavior: "allViewerExceptHost" }
    | { readonly behavior: "allViewer" };
  readonly cookies: ValueSelection;
}

/** A CloudFront Function (cloudfront-js-2.0) by its source file, relative to the repository root. */
export interface CloudFrontFunctionAssociation {
  readonly kind: "cloudfront-function";
  readonly name: string;
  readonly sourceFile: string;
}

/** A Lambda@Edge handler by its module file, relative to the repository root. */
export interface LambdaEdgeAssociation {
  readonly kind: "lambda-edge";
  readonly name: string;
  readonly moduleFile: string;
  readonly exportName?: string;
  readonly includeBody?: boolean;
  /**
   * Packages with native code (sharp) left out of the bundle and shipped beside it in node_modules, as
   * Lambda@Edge has no layers; the edge build checks the package against the event's size limit.
   */
  readonly nativeDependencies?: readonly string[];
}

/**
 * Functions on one behaviour. CloudFront Functions and Lambda@Edge cannot be combined on the viewer
 * events, and origin events take Lambda@Edge only; the types say so.
 */
export interface FunctionAssociations {
  readonly viewerRequest?: CloudFrontFunctionAssociation | LambdaEdgeAssociation;
  readonly originRequest?: LambdaEdgeAssociation;
  readonly originResponse?: LambdaEdgeAssociation;
  readonly viewerResponse?: CloudFrontFunctionAssociation | LambdaEdgeAssociation;
}

/**
 * A response headers policy: headers CloudFront adds to, or removes from, every response of a behaviour.
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html
 */
export interface ResponseHeadersPolicyDeclaration {
  readonly name: string;
  readonly securityHeaders: {
    readonly contentSecurityPolicy: { readonly value: string; readonly override: boolean };
    readonly strictTransportSecurity: {
      readonly maxAgeSeconds: number;
      readonly includeSubdomains: boolean;
      readonly preload: boolean;
      readonly override: boolean;
    };
    /** X-Content-Type-Options: nosniff */
    readonly contentTypeOptions: { readonly override: boolean };
    readonly frameOptions: { readonly option: "DENY" | "SAMEORIGIN"; readonly override: boolean };
    readonly referrerPolicy: {
      readonly value:
        | "no-referrer"
        | "no-referrer-when-downgrade"
        | "origin"
        | "origin-when-cross-origin"
        | "same-origin"
        | "strict-origin"
        | "strict-origin-when-cross-origin"
        | "unsafe-url";
      readonly override: boolean;
    };
  };
  readonly customHeaders: readonly {
    readonly name: string;
    readonly value: string;
    readonly override: boolean;
  }[];
  /** Header names removed from origin and cache responses (exact names, case-insensitive). */
  readonly removeHeaders: readonly string[];
}

export interface BehaviourDeclaration {
  /** CloudFront path pattern (`*` and `?` wildcards, case-sensitive); `*` is the default behaviour. */
  readonly pathPattern: string;
  readonly originId: string;
  readonly cachePolicy: CachePolicyDeclaration;
  readonly originRequestPolicy?: OriginRequestPolicyDeclaration;
  readonly allowedMethods: "GET_HEAD" | "GET_HEAD_OPTIONS" | "ALL";
  readonly viewerProtocolPolicy: "redirect-to-https" | "https-only";
  /** CloudFront compresses eligible responses itself (gzip/br) when the viewer accepts it. */
  readonly compress: boolean;
  readonly responseHeadersPolicy?: ResponseHeadersPolicyDeclaration;
  readonly functions: FunctionAssociations;
}

/** A page CloudFront fetches through the behaviours when an origin answers with an error. */
export interface CustomErrorResponseDeclaration {
  readonly errorCode: number;
  readonly responsePagePath: string;
  readonly responseCode: number;
  readonly errorCachingMinTtlSeconds: number;
}

export interface DistributionDeclaration {
  readonly comment: string;
  readonly origins: readonly OriginDeclaration[];
  /** In CloudFront's evaluation order: the first matching pattern wins; the default (`*`) is last. */
  readonly behaviours: readonly BehaviourDeclaration[];
  readonly customErrorResponses: readonly CustomErrorResponseDeclaration[];
  /** The WAF web ACL associated with the distribution (edge/firewall.ts). */
  readonly webAcl?: WebAclDeclaration;
}

const ONE_YEAR = 31_536_000;
const ONE_DAY = 86_400;

/** Nothing cached, as the managed CachingDisabled policy. */
export const cachingDisabled: CachePolicyDeclaration = {
  name: "CachingDisabled",
  minTtlSeconds: 0,
  defaultTtlSeconds: 0,
  maxTtlSeconds: 0,
  queryStrings: { behavior: "none" },
  headers: { behavior: "none" },
  cookies: { behavior: "none" },
  acceptEncoding: { gzip: false, brotli: false },
};

/** HTML and other unhashed site files: short at the edge so a deploy shows within minutes. */
export const sitePages: CachePolicyDeclaration = {
  name: "GoodGreets-SitePages",
  minTtlSeconds: 0,
  defaultTtlSeconds: 300,
  maxTtlSeconds: ONE_DAY,
  queryStrings: { behavior: "none" },
  headers: { behavior: "none" },
  cookies: { behavior: "none" },
  acceptEncoding: { gzip: true, brotli: true },
};

/** Astro's content-hashed build output never changes under a name: cache it for a year. */
export const hashedAssets: CachePolicyDeclaration = {
  name: "GoodGreets-HashedAssets",
  minTtlSeconds: ONE_YEAR,
  defaultTtlSeconds: ONE_YEAR,
  maxTtlSeconds: ONE_YEAR,
  queryStrings: { behavior: "none" },
  headers: { behavior: "none" },
  cookies: { behavior: "none" },
  acceptEncoding: { gzip: true, brotli: true },
};

/** Design images and their variants: long-lived, keyed by URI only. */
export const images: CachePolicyDeclaration = {
  name: "GoodGreets-Images",
  minTtlSeconds: 0,
  defaultTtlSeconds: ONE_DAY,
  maxTtlSeconds: ONE_YEAR,
  queryStrings: { behavior: "none" },
  headers: { behavior: "none" },
  cookies: { behavior: "none" },
  acceptEncoding: { gzip: true, brotli: true },
};

/**
 * A card's data under /api/cards/*: only what the API marks cacheable is kept — a delivered card, which
 * never changes, for a year (s-maxage) — keyed by the URI alone. Everything a write can change answers
 * no-store, and the default TTL of 0 keeps anything unmarked out of the cache. Non-GET requests are
 * never cached by CloudFront.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html
 */
export const cardData: CachePolicyDeclaration = {
  name: "GoodGreets-CardData",
  minTtlSeconds: 0,
  defaultTtlSeconds: 0,
  maxTtlSeconds: ONE_YEAR,
  queryStrings: { behavior: "none" },
  headers: { behavior: "none" },
  cookies: { behavior: "none" },
  acceptEncoding: { gzip: true, brotli: true },
};

/** The API needs the viewer's headers, query and cookies, but its Host must be the function URL's. */
export const allViewerExceptHostHeader: OriginRequestPolicyDeclaration = {
  name: "AllViewerExceptHostHeader",
  queryStrings: { behavior: "all" },
  headers: { behavior: "allViewerExceptHost" },
  cookies: { behavior: "all" },
};

const urlNormalisation: CloudFrontFunctionAssociation = {
  kind: "cloudfront-function",
  name: "goodgreets-viewer-request-url",
  sourceFile: "edge/functions/viewer-request-url.js",
};

/** Images: ?w= and Accept become the variant's URI (edge/image-variants.ts). */
const imageVariant: CloudFrontFunctionAssociation = {
  kind: "cloudfront-function",
  name: "goodgreets-viewer-request-image",
  sourceFile: "edge/functions/viewer-request-image.ts",
};

/** A missing variant is rendered from its original with sharp, stored and answered. */
const imageResizer: LambdaEdgeAssociation = {
  kind: "lambda-edge",
  name: "goodgreets-origin-response-image-resizer",
  moduleFile: "edge/lambda/image-resizer.ts",
  exportName: "handler",
  nativeDependencies: ["sharp"],
};

/** Upload grants go to the API only with the header the WAF CAPTCHA rule inserts (edge/firewall.ts). */
const uploadGuard: LambdaEdgeAssociation = {
  kind: "lambda-edge",
  name: "goodgreets-origin-request-upload-guard",
  moduleFile: "edge/lambda/upload-guard.ts",
  exportName: "handler",
};

/** CloudFront's default error-caching minimum TTL, used by the site's own 404 page too. */
export const errorCachingSeconds = 10;

/** Missing site pages answer with the site's 404 page (status 404), not S3's 403/404 XML. */
const siteNotFound: LambdaEdgeAssociation = {
  kind: "lambda-edge",
  name: "goodgreets-origin-response-site-not-found",
  moduleFile: "edge/lambda/site-not-found.ts",
  exportName: "handler",
};

/**
 * Stands in the policy for the images bucket's own origin (https://<bucket>.s3.<region>.amazonaws.com in
 * AWS, the S3 stand-in's URL locally): the create page POSTs an upload there directly (see
 * origin/uploads/upload-cors.ts for why not through the edge), which `connect-src` must allow. Each
 * renderer fills it in with withUploadOrigin; a policy still holding it allows nothing more.
 */
export const uploadOriginPlaceholder = "{images-bucket-origin}";

/**
 * Stands in the create page's policy for the sources the WAF CAPTCHA JavaScript API needs in AWS: its
 * script comes from the web ACL's integration URL on awswaf.com, and the SDK calls other awswaf.com
 * endpoints, so AWS documents allowing the apex domain in `connect-src` and `script-src`
 * (`script-src-elem`, which it lists too, falls back to `script-src`). Locally the script is same-origin
 * (/.local-waf/jsapi.js) and nothing is added. Each renderer fills it in with withWafCaptcha.
 * https://docs.aws.amazon.com/waf/latest/developerguide/waf-javascript-api-csp.html
 */
export const wafCaptchaPlaceholder = "{waf-captcha-sources}";

/**
 * The security headers on every response, errors and redirects included (a viewer-response function
 * never runs at 400 and above), and the S3 origin's own headers taken off.
 */
export const goodGreetsHeaders: ResponseHeadersPolicyDeclaration = {
  name: "GoodGreets-SecurityHeaders",
  securityHeaders: {
    contentSecurityPolicy: {
      value: `default-src 'self'; connect-src 'self' ${uploadOriginPlaceholder}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'`,
      override: false,
    },
    strictTransportSecurity: {
      maxAgeSeconds: 63_072_000,
      includeSubdomains: true,
      preload: true,
      override: true,
    },
    contentTypeOptions: { override: true },
    frameOptions: { option: "DENY", override: true },
    referrerPolicy: { value: "strict-origin-when-cross-origin", override: true },
  },
  customHeaders: [
    {
      name: "Permissions-Policy",
      value: "camera=(), microphone=(), geolocation=(), payment=()",
      override: false,
    },
  ],
  removeHeaders: [
    "Server",
    "x-amz-id-2",
    "x-amz-request-id",
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-bucket-key-enabled",
    "x-amz-version-id",
    "x-amz-expiration",
    "x-amz-replication-status",
    "x-amz-storage-class",
    "x-amz-restore",
    "x-amz-checksum-crc32",
    "x-amz-checksum-crc32c",
    "x-amz-checksum-crc64nvme",
    "x-amz-checksum-sha1",
    "x-amz-checksum-sha256",
    "x-amz-checksum-type",
    "x-amz-website-redirect-location",
  ],
};

/**
 * Capability pages (/c/*, /s/*, /o/*): their URLs are keys, so they never leave in a Referer, and they
 * are kept out of search engines (X-Robots-Tag; the pages carry a robots meta tag as well).
 */
export const capabilityPageHeaders: ResponseHeadersPolicyDeclaration = {
  ...goodGreetsHeaders,
  name: "GoodGreets-CapabilityPages",
  securityHeaders: {
    ...goodGreetsHeaders.securityHeaders,
    referrerPolicy: { value: "no-referrer", override: true },
  },
  customHeaders: [
    ...goodGreetsHeaders.customHeaders,
    { name: "X-Robots-Tag", value: "noindex, nofollow", override: true },
  ],
};

/** The create pages (/create/, /create/picture): the one place the WAF CAPTCHA script runs. */
export const createPageHeaders: ResponseHeadersPolicyDeclaration = {
  ...goodGreetsHeaders,
  name: "GoodGreets-CreatePages",
  securityHeaders: {
    ...goodGreetsHeaders.securityHeaders,
    contentSecurityPolicy: {
      ...goodGreetsHeaders.securityHeaders.contentSecurityPolicy,
      value: goodGreetsHeaders.securityHeaders.contentSecurityPolicy.value
        .replace(`connect-src 'self' ${uploadOriginPlaceholder}`, `$& ${wafCaptchaPlaceholder}`)
        .replace("script-src 'self'", `$& ${wafCaptchaPlaceholder}`),
    },
  },
};

/** CloudFront's defaults: three attempts of 10 s each, 30 s read timeout. */
const defaultConnection: OriginConnectionDeclaration = {
  attempts: 3,
  connectionTimeoutSeconds: 10,
  readTimeoutSeconds: 30,
};

export const distribution: DistributionDeclaration = {
  comment: "GoodGreets: site, design images and API behind one domain",
  origins: [
    { id: "site", kind: "s3-bucket", bucket: "site", connection: defaultConnection },
    { id: "images", kind: "s3-bucket", bucket: "images", connection: defaultConnection },
    { id: "api", kind: "lambda-function-url", function: "api", connection: defaultConnection },
  ],
  behaviours: [
    {
      pathPattern: "/api/cards/*",
      originId: "api",
      cachePolicy: cardData,
      originRequestPolicy: allViewerExceptHostHeader,
      allowedMethods: "ALL",
      viewerProtocolPolicy: "https-only",
      compress: true,
      responseHeadersPolicy: capabilityPageHeaders,
      functions: {},
    },
    {
      // The WAF CAPTCHA rule matches this path; the policy forwards the header it inserts to the guard.
      pathPattern: "/api/uploads",
      originId: "api",
      cachePolicy: cachingDisabled,
      originRequestPolicy: allViewerExceptHostHeader,
      allowedMethods: "ALL",
      viewerProtocolPolicy: "https-only",
      compress: true,
      responseHeadersPolicy: goodGreetsHeaders,
      functions: { originRequest: uploadGuard },
    },
    {
      pathPattern: "/api/*",
      originId: "api",
      cachePolicy: cachingDisabled,
      originRequestPolicy: allViewerExceptHostHeader,
      allowedMethods: "ALL",
      viewerProtocolPolicy: "https-only",
      compress: true,
      responseHeadersPolicy: goodGreetsHeaders,
      functions: {},
    },
    {
      pathPattern: "/img/*",
      originId: "images",
      cachePolicy: images,
      allowedMethods: "GET_HEAD",
      viewerProtocolPolicy: "redirect-to-https",
      compress: true,
      responseHeadersPolicy: goodGreetsHeaders,
      functions: { viewerRequest: imageVariant, originResponse: imageResizer },
    },
    {
      pathPattern: "/_astro/*",
      originId: "site",
      cachePolicy: hashedAssets,
      allowedMethods: "GET_HEAD",
      viewerProtocolPolicy: "redirect-to-https",
      compress: true,
      responseHeadersPolicy: goodGreetsHeaders,
      functions: { originResponse: siteNotFound },
    },
    {
      // Sign links come from the API, which puts the card's title in the page for link previews.
      pathPattern: "/s/*",
      originId: "api",
      cachePolicy: sitePages,
      allowedMethods: "GET_HEAD",
      viewerProtocolPolicy: "redirect-to-https",
      compress: true,
      responseHeadersPolicy: capabilityPageHeaders,
      functions: {},
    },
    ...["/c/*", "/o/*"].map(
      (pathPattern): BehaviourDeclaration => ({
        pathPattern,
        originId: "site",
        cachePolicy: sitePages,
        allowedMethods: "GET_HEAD",
        viewerProtocolPolicy: "redirect-to-https",
        compress: true,
        responseHeadersPolicy: capabilityPageHeaders,
        functions: { viewerRequest: urlNormalisation, originResponse: siteNotFound },
      }),
    ),
    {
      pathPattern: "/create*",
      originId: "site",
      cachePolicy: sitePages,
      allowedMethods: "GET_HEAD",
      viewerProtocolPolicy: "redirect-to-https",
      compress: true,
      responseHeadersPolicy: createPageHeaders,
      functions: { viewerRequest: urlNormalisation, originResponse: siteNotFound },
    },
    {
      pathPattern: "*",
      originId: "site",
      cachePolicy: sitePages,
      allowedMethods: "GET_HEAD",
      viewerProtocolPolicy: "redirect-to-https",
      compress: true,
      responseHeadersPolicy: goodGreetsHeaders,
      functions: { viewerRequest: urlNormalisation, originResponse: siteNotFound },
    },
  ],
  // None on purpose: CloudFront's custom error responses apply to every behaviour, so a 404 page for the
  // site would also replace the API's JSON errors. The site behaviours map a missing page to the site's
  // 404 page with an origin-response function instead (siteNotFound).
  customErrorResponses: [],
  webAcl,
};

/** The declaration with the images bucket's origin written into every Content-Security-Policy. */
export function withUploadOrigin(
  declaration: DistributionDeclaration,
  origin: string,
): DistributionDeclaration {
  if (!/^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/.test(origin))
    throw new Error(`${origin} is not an origin (scheme://host[:port])`);
  return withPolicySources(declaration, uploadOriginPlaceholder, origin);
}

/**
 * The declaration with the WAF CAPTCHA sources written into the create page's policy: for the web ACL's
 * integration URL (https://<id>.<region>.captcha-sdk.awswaf.com/<id>/jsapi.js) AWS's documented
 * `https://*.awswaf.com`; without one (the local WAF, same-origin) nothing.
 */
export function withWafCaptcha(
  declaration: DistributionDeclaration,
  integrationUrl: string | undefined,
): DistributionDeclaration {
  if (integrationUrl === undefined) return withPolicySources(declaration, wafCaptchaPlaceholder, "");
  if (!/^https:\/\/[A-Za-z0-9.-]+\.awswaf\.com(\/|$)/.test(integrationUrl))
    throw new Error(`${integrationUrl} is not a WAF integration URL (https://….awswaf.com/…)`);
  return withPolicySources(declaration, wafCaptchaPlaceholder, "https://*.awswaf.com");
}

/** Every Content-Security-Policy with ` <placeholder>` replaced by ` <sources>`, or dropped when empty. */
function withPolicySources(
  declaration: DistributionDeclaration,
  placeholder: string,
  sources: string,
): DistributionDeclaration {
  const resolved = new Map<ResponseHeadersPolicyDeclaration, ResponseHeadersPolicyDeclaration>();
  const resolve = (policy: ResponseHeadersPolicyDeclaration) => {
    const known = resolved.get(policy);
    if (known) return known;
    const { contentSecurityPolicy } = policy.securityHeaders;
    const made = {
      ...policy,
      securityHeaders: {
        ...policy.securityHeaders,
        contentSecurityPolicy: {
          ...contentSecurityPolicy,
          value: contentSecurityPolicy.value.replaceAll(
            ` ${placeholder}`,
            sources === "" ? "" : ` ${sources}`,
          ),
        },
      },
    };
    resolved.set(policy, made);
    return made;
  };
  return {
    ...declaration,
    behaviours: declaration.behaviours.map((behaviour) =>
      behaviour.responseHeadersPolicy
        ? { ...behaviour, responseHeadersPolicy: resolve(behaviour.responseHeadersPolicy) }
        : behaviour,
    ),
  };
}

// Renders a CloudFront response headers policy onto a response: security and custom headers added (or
// left as the origin set them, unless the policy overrides), and the named headers removed.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html
import type { ResponseHeadersPolicyDeclaration } from "../../../edge/distribution.ts";
import { isHiddenFromFunctions } from "./header-rules.ts";

/** The headers a policy sets, in the order CloudFront's security headers config lists them. */
export function policyHeaders(
  policy: ResponseHeadersPolicyDeclaration,
): { name: string; value: string; override: boolean }[] {
  const { contentSecurityPolicy, strictTransportSecurity, contentTypeOptions, frameOptions, referrerPolicy } =
    policy.securityHeaders;
  const hsts = [
    `max-age=${strictTransportSecurity.maxAgeSeconds}`,
    ...(strictTransportSecurity.includeSubdomains ? ["includeSubDomains"] : []),
    ...(strictTransportSecurity.preload ? ["preload"] : []),
  ].join("; ");
  return [
    { name: "Content-Security-Policy", ...contentSecurityPolicy },
    { name: "Strict-Transport-Security", value: hsts, override: strictTransportSecurity.override },
    { name: "X-Content-Type-Options", value: "nosniff", override: contentTypeOptions.override },
    { name: "X-Frame-Options", value: frameOptions.option, override: frameOptions.override },
    { name: "Referrer-Policy", ...referrerPolicy },
    ...policy.customHeaders,
  ];
}

/**
 * Headers a policy cannot remove: those hidden from edge functions, and the message framing and
 * CloudFront's own (the RemoveHeadersConfig list in the page above).
 */
const notRemovable = (name: string) =>
  isHiddenFromFunctions(name) ||
  /^(content-encoding|content-length|host|transfer-encoding|via|warning|x-amzn-.*)$/i.test(name);

/** Throws when the policy names a header CloudFront would not let it remove. */
export function checkResponseHeadersPolicy(policy: ResponseHeadersPolicyDeclaration): void {
  const refused = policy.removeHeaders.filter(notRemovable);
  if (refused.length > 0)
    throw new Error(`response headers policy ${policy.name} cannot remove ${refused.join(", ")}`);
}

interface RenderedPolicy {
  removed: ReadonlySet<string>;
  added: readonly { name: string; value: string; override: boolean }[];
  /** Lower-case names the policy sets whatever the origin sent. */
  replaced: ReadonlySet<string>;
}

// Worked out once per policy: the edge applies it to every response.
const rendered = new WeakMap<ResponseHeadersPolicyDeclaration, RenderedPolicy>();

function render(policy: ResponseHeadersPolicyDeclaration): RenderedPolicy {
  const known = rendered.get(policy);
  if (known) return known;
  const added = policyHeaders(policy);
  const result = {
    removed: new Set(policy.removeHeaders.map((name) => name.toLowerCase())),
    added,
    replaced: new Set(added.filter((header) => header.override).map((header) => header.name.toLowerCase())),
  };
  rendered.set(policy, result);
  return result;
}

export function applyResponseHeadersPolicy(
  policy: ResponseHeadersPolicyDeclaration | undefined,
  headers: readonly (readonly [string, string])[],
): [string, string][] {
  if (!policy) return headers.map(([name, value]) => [name, value]);
  const { removed, added, replaced } = render(policy);
  const present = new Set(headers.map(([name]) => name.toLowerCase()));
  const kept = headers
    .filter(([name]) => !removed.has(name.toLowerCase()) && !replaced.has(name.toLowerCase()))
    .map(([name, value]) => [name, value] as [string, string]);
  const additions = added
    .filter((header) => header.override || !present.has(header.name.toLowerCase()))
    .map((header) => [header.name, header.value] as [string, string]);
  // Removing Server does not leave the response without one: CloudFront names itself instead.
  const server: [string, string][] = removed.has("server") ? [["Server", "CloudFront"]] : [];
  return [...kept, ...server, ...additions];
}

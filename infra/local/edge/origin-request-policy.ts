// What of a viewer request reaches the origin: the values the cache and origin request policies select,
// minus what the edge keeps for itself, plus the headers CloudFront adds on the way.
import type { BehaviourDeclaration, OriginDeclaration, ValueSelection } from "../../../edge/distribution.ts";
import { isCacheableMethod } from "./cache-policy.ts";
import { headerValue } from "./edge-cache.ts";
import type { EdgeContext, HttpRequestParts } from "./edge-functions.ts";
import { cookiePairs, queryPairs } from "./viewer-values.ts";

function selectionIncludes(selection: ValueSelection | { behavior: string }, name: string): boolean {
  if (selection.behavior === "none") return false;
  if (selection.behavior === "allowList")
    return (selection as { names: readonly string[] }).names.includes(name);
  return true;
}

/** The viewer values a behaviour sends to its origin: the cache key's plus the origin request policy's. */
export function originRequestFor(
  behaviour: BehaviourDeclaration,
  request: HttpRequestParts,
): HttpRequestParts {
  const { cachePolicy, originRequestPolicy } = behaviour;
  const query = request.rawQuery
    .split("&")
    .filter((part) => part !== "")
    .filter((part) => {
      const name = queryPairs(part)[0]?.[0] ?? "";
      return (
        selectionIncludes(cachePolicy.queryStrings, name) ||
        (originRequestPolicy !== undefined && selectionIncludes(originRequestPolicy.queryStrings, name))
      );
    });
  const headers = request.headers.filter(([name]) => {
    const lower = name.toLowerCase();
    if (lower === "cookie" || lower === "host") return false;
    if (selectionIncludes(cachePolicy.headers, lower)) return true;
    const policy = originRequestPolicy?.headers;
    if (!policy) return false;
    if (
      policy.behavior === "allViewer" ||
      policy.behavior === "allViewerExceptHost" ||
      policy.behavior === "all"
    )
      return true;
    return selectionIncludes(policy, lower);
  });
  const cookies = cookiePairs(request.headers).filter(
    ([name]) =>
      selectionIncludes(cachePolicy.cookies, name) ||
      (originRequestPolicy !== undefined && selectionIncludes(originRequestPolicy.cookies, name)),
  );
  if (cookies.length > 0)
    headers.push(["Cookie", cookies.map(([name, value]) => `${name}=${value}`).join("; ")]);
  return { method: request.method, uri: request.uri, rawQuery: query.join("&"), headers };
}

/**
 * For cached content the viewer's validators and ranges stay at the edge (it fetches whole objects and
 * revalidates its own copy with `revalidation`); uncached methods pass them through.
 */
export function withEdgeValidators(
  forwarded: HttpRequestParts,
  viewerMethod: string,
  revalidation: readonly [string, string][],
): HttpRequestParts {
  const edgeOwned = /^(if-none-match|if-modified-since|if-match|if-unmodified-since|range|if-range)$/i;
  return {
    ...forwarded,
    headers: [
      ...forwarded.headers.filter(([name]) => !isCacheableMethod(viewerMethod) || !edgeOwned.test(name)),
      ...revalidation.map(([name, value]) => [name, value] as [string, string]),
    ],
  };
}

/** The headers CloudFront adds to every origin request. */
export function cloudFrontOriginHeaders(
  request: HttpRequestParts,
  origin: OriginDeclaration,
  context: EdgeContext,
  via: string,
): [string, string][] {
  return [
    ...request.headers,
    ["X-Amz-Cf-Id", context.requestId],
    ["Via", via],
    ...(headerValue(request.headers, "user-agent")
      ? []
      : [["User-Agent", "Amazon CloudFront"] as [string, string]]),
    ...(origin.kind === "lambda-function-url"
      ? [["X-Forwarded-For", context.viewerIp] as [string, string]]
      : []),
  ];
}

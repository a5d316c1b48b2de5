// CloudFront's rules on the URI and query string an edge function returns, once for CloudFront Functions
// and Lambda@Edge: no spaces, control characters or "#" in the query string (aws-edge-facts.md A7), and
// URI and query string together under 8,192 characters (A1; for Lambda@Edge, "Size Quotas on URI and
// Query String" in https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html).

const maxUriAndQuery = 8192;

/** Why CloudFront refuses this URI and raw query string (no "?"), or undefined when it takes them. */
export function uriAndQueryProblem(uri: string, query: string): string | undefined {
  // Code points below 0x20 and DEL are control characters.
  if ([...query].some((character) => character <= " " || character === "#" || character === "\u007f"))
    return "query strings cannot hold spaces, control characters or #";
  const length = uri.length + (query === "" ? 0 : query.length + 1);
  if (length >= maxUriAndQuery)
    return `the URI and query string are ${length} characters; they must stay under ${maxUriAndQuery}`;
  return undefined;
}

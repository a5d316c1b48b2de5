// What the API asks of the CDN in front of it: to forget what it cached under some paths (CloudFront
// invalidation paths: each starts with '/', a '*' only as the last character). The API takes it as a
// dependency, like the card schedules.
export interface EdgeCache {
  /** Resolves once the CDN has accepted the paths; rejects when it refused them or could not be reached. */
  invalidate(paths: readonly string[]): Promise<void>;
}

// The figures of an edge metrics review: the `--json` document, field by field. Times are ISO 8601 UTC,
// durations seconds, ratios 0–1 (null when there is nothing to divide by).

export interface HitCounts {
  requests: number;
  /** Hit + RefreshHit. */
  hits: number;
  /** Miss. */
  misses: number;
  /** hits / (hits + misses): requests of other result types are left out. */
  hitRatio: number | null;
}

export interface Percentiles {
  requests: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface TimeBucket extends HitCounts {
  start: string;
  p99: number | null;
  serverErrors: number;
  /** False while CloudFront may still deliver lines for this bucket (up to 24 h after its end). */
  settled: boolean;
}

export interface EdgeMetrics {
  schema: "goodgreets.edge-metrics/1";
  window: {
    /** --since / --until as given, else null. */
    since: string | null;
    until: string | null;
    firstRequest: string | null;
    lastRequest: string | null;
    /** The width of each `overTime` bucket. */
    bucket: "second" | "minute" | "hour" | "day";
    /** Lines for requests before this are final; later ones may still arrive (now − 24 h). */
    settledBefore: string;
    /** True when every request in the window is before `settledBefore`. */
    complete: boolean;
  };
  input: {
    files: number;
    /** Data lines read (comment headers left out), malformed ones included. */
    lines: number;
    malformedLines: number;
    malformedExamples: { file: string; line: number; reason: string }[];
    /** How the figures were counted: from the cache's hourly counts (a window on whole hours, figures over
     * time by the hour or day), or request by request. Both give the same figures. */
    counting: "hourly" | "per request";
  };
  requests: number;
  resultTypes: {
    hit: number;
    refreshHit: number;
    miss: number;
    error: number;
    redirect: number;
    limitExceeded: number;
    capacityExceeded: number;
    /** FunctionGeneratedResponse, LambdaGeneratedResponse and anything newer. */
    other: number;
  };
  hitRatio: number | null;
  bytes: { total: number; fromCache: number; fromOrigin: number; offloadRatio: number | null };
  latency: { hit: Percentiles; miss: Percentiles };
  errors: {
    server: number;
    client: number;
    serverRatio: number | null;
    clientRatio: number | null;
    /** x-edge-detailed-result-type of the Error results (OriginConnectError…). */
    detailed: { type: string; requests: number }[];
  };
  statuses: { status: number; requests: number }[];
  byBehaviour: (HitCounts & { behaviour: string })[];
  byContentType: (HitCounts & { contentType: string })[];
  overTime: TimeBucket[];
  topMisses: { uri: string; behaviour: string; misses: number }[];
  /** Paths asked with many query strings; `parameters` are those that took several values on misses. */
  fragmentation: {
    uri: string;
    behaviour: string;
    requests: number;
    queryStrings: number;
    missedQueryStrings: number;
    parameters: { name: string; values: number }[];
  }[];
  /** What to fix, in words, most important first. */
  advice: string[];
}

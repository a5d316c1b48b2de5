// Log samples with known counts, in CloudFront's real formats: W3C lines of today's 33 fields (the shape of
// the example in AWS's standard-logs reference), older files with a 24-field prefix, standard logging
// v2's JSON lines, gzip, and malformed lines.
import { accessLogFields } from "../../infra/metrics/log-format.ts";

export interface SampleRequest {
  at: string;
  uri: string;
  query?: string;
  status: number;
  result: "Hit" | "RefreshHit" | "Miss" | "Error" | "Redirect" | "LimitExceeded" | "CapacityExceeded";
  detailed?: string;
  bytes: number;
  timeTaken: number;
  contentType?: string;
  method?: string;
}

/** Repeats a request `times` times. */
export const times = (count: number, request: SampleRequest): SampleRequest[] =>
  Array.from({ length: count }, () => request);

/** One line of all 33 fields, values encoded as CloudFront writes them. */
export function w3cValues(request: SampleRequest): string[] {
  const [date = "", time = ""] = request.at.split("T");
  return [
    date,
    time.slice(0, 8),
    "LAX1-C1",
    String(request.bytes),
    "192.0.2.100",
    request.method ?? "GET",
    "d111111abcdef8.cloudfront.net",
    request.uri,
    String(request.status),
    "-",
    "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)",
    request.query ?? "-",
    "-",
    request.result,
    "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
    "d111111abcdef8.cloudfront.net",
    "https",
    "23",
    request.timeTaken.toFixed(3),
    "-",
    "TLSv1.3",
    "TLS_AES_128_GCM_SHA256",
    request.result,
    "HTTP/2.0",
    "-",
    "-",
    "11040",
    request.timeTaken.toFixed(3),
    request.detailed ?? request.result,
    request.contentType ?? "-",
    String(request.bytes - 100),
    "-",
    "-",
  ];
}

/** A W3C file declaring the first `fieldCount` fields, with extra raw lines appended as they are. */
export function w3cFile(requests: SampleRequest[], fieldCount: number, extraLines: string[] = []): string {
  const fields = accessLogFields.slice(0, fieldCount);
  const lines = requests.map((request) => w3cValues(request).slice(0, fieldCount).join("\t"));
  return `#Version: 1.0\n#Fields: ${fields.join(" ")}\n${[...lines, ...extraLines].join("\n")}\n`;
}

/** Standard logging v2's JSON output: one object per line, keys are the field names chosen. */
export function jsonLinesFile(requests: SampleRequest[], extraLines: string[] = []): string {
  const lines = requests.map((request) => {
    const values = w3cValues(request);
    const record: Record<string, string> = {};
    for (const [index, field] of accessLogFields.entries()) record[field] = values[index] ?? "-";
    return JSON.stringify({
      timestamp: String(Date.parse(`${request.at}Z`) / 1000),
      DistributionId: "E2EXAMPLE",
      ...record,
    });
  });
  return `${[...lines, ...extraLines].join("\n")}\n`;
}

/** Nearest-rank percentile (the value at rank ⌈n·p⌉), what DuckDB's quantile_disc returns. */
export function nearestRank(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length * fraction) - 1)] ?? Number.NaN;
}

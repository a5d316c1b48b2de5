// The local edge's access log writer: CloudFront's standard (legacy) log, written as CloudFront does so
// that log tools built for CloudFront (Athena tables, GoAccess's CLOUDFRONT format…) read it as is. The
// field list, header and value encoding live in infra/metrics/log-format.ts, shared with the metrics reader.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html
import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { accessLogHeader, encodeLogValue } from "../../metrics/log-format.ts";

export { accessLogFields, accessLogHeader, parseAccessLog } from "../../metrics/log-format.ts";

/** How the edge classified a response (x-edge-result-type and x-edge-response-result-type). */
export type EdgeResultType =
  | "Hit"
  | "RefreshHit"
  | "Miss"
  | "LimitExceeded"
  | "CapacityExceeded"
  | "Error"
  | "Redirect"
  | "FunctionGeneratedResponse"
  | "LambdaGeneratedResponse";

/** One viewer request as the edge saw it; turned into a log line by `formatAccessLogLine`. */
export interface AccessLogEntry {
  /** When the last byte was written. */
  finishedAt: Date;
  edgeLocation: string;
  responseBytes: number;
  clientIp: string;
  method: string;
  distributionDomainName: string;
  uriStem: string;
  status: number;
  referer?: string | undefined;
  userAgent?: string | undefined;
  query: string;
  resultType: EdgeResultType;
  requestId: string;
  hostHeader: string;
  protocol: "http" | "https";
  requestBytes: number;
  timeTakenSeconds: number;
  forwardedFor?: string | undefined;
  responseResultType: EdgeResultType;
  protocolVersion: string;
  clientPort: number;
  timeToFirstByteSeconds: number;
  /** Equal to the result type unless it is Error, then the specific error (OriginConnectError…). */
  detailedResultType: string;
  contentType?: string | undefined;
  contentLength?: number | undefined;
  rangeStart?: number | undefined;
  rangeEnd?: number | undefined;
}

const seconds = (value: number) => value.toFixed(3);
const number = (value: number | undefined) => (value === undefined ? "-" : String(value));

export function formatAccessLogLine(entry: AccessLogEntry): string {
  const iso = entry.finishedAt.toISOString();
  const fields = [
    iso.slice(0, 10),
    iso.slice(11, 19),
    entry.edgeLocation,
    String(entry.responseBytes),
    entry.clientIp,
    entry.method,
    entry.distributionDomainName,
    encodeLogValue(entry.uriStem),
    String(entry.status).padStart(3, "0"),
    encodeLogValue(entry.referer),
    encodeLogValue(entry.userAgent),
    encodeLogValue(entry.query),
    // Cookie logging is off, as it is by default on a distribution: cookies can carry secrets.
    "-",
    entry.resultType,
    entry.requestId,
    encodeLogValue(entry.hostHeader),
    entry.protocol,
    String(entry.requestBytes),
    seconds(entry.timeTakenSeconds),
    encodeLogValue(entry.forwardedFor),
    "-",
    "-",
    entry.responseResultType,
    entry.protocolVersion,
    "-",
    "-",
    String(entry.clientPort),
    seconds(entry.timeToFirstByteSeconds),
    entry.detailedResultType,
    encodeLogValue(entry.contentType),
    number(entry.contentLength),
    number(entry.rangeStart),
    number(entry.rangeEnd),
  ];
  return `${fields.join("\t")}\n`;
}

/**
 * Appends lines to hourly files named as CloudFront names them (<distribution-id>.YYYY-MM-DD-HH.<unique>),
 * each file starting with the two header lines. Plain text rather than gzip so `tail -f` works locally.
 */
export class AccessLogWriter {
  readonly directory: string;
  readonly #distributionId: string;
  readonly #uniqueId = Math.random().toString(36).slice(2, 10);
  readonly #started = new Set<string>();
  /** Lines waiting for the disk: written in batches, one append per file, not one per request. */
  #queue: { file: string; line: string }[] = [];
  #draining: Promise<void> | undefined;

  constructor(directory: string, distributionId: string) {
    this.directory = directory;
    this.#distributionId = distributionId;
  }

  fileFor(at: Date): string {
    const hour = at.toISOString().slice(0, 13).replace("T", "-");
    return join(this.directory, `${this.#distributionId}.${hour}.${this.#uniqueId}`);
  }

  /** Lines are written in order; a disk error is reported on stderr and never fails a request. */
  write(entry: AccessLogEntry): void {
    this.#queue.push({ file: this.fileFor(entry.finishedAt), line: formatAccessLogLine(entry) });
    this.#draining ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const linesByFile = new Map<string, string[]>();
        for (const { file, line } of this.#queue.splice(0)) {
          const lines = linesByFile.get(file);
          if (lines) lines.push(line);
          else linesByFile.set(file, [line]);
        }
        for (const [file, lines] of linesByFile) {
          try {
            if (!this.#started.has(file)) {
              await mkdir(this.directory, { recursive: true });
              await appendFile(file, accessLogHeader);
              this.#started.add(file);
            }
            await appendFile(file, lines.join(""));
          } catch (error) {
            console.error(`edge: could not write the access log ${file}:`, error);
          }
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }

  /** Resolves when every line written so far is on disk. */
  flush(): Promise<void> {
    return this.#draining ?? Promise.resolve();
  }
}

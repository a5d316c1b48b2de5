// A browser-like burst: the catalog's pages and pictures requested as a browser does, many at once, for
// several rounds; counts each status and keeps the details of every server error and lost request.
import { performance } from "node:perf_hooks";

export interface BurstOptions {
  /** Where the edge listens, e.g. http://localhost:8080 (no trailing slash). */
  baseUrl: string;
  paths: readonly string[];
  /** Requests in flight at once. */
  concurrency?: number;
  /** How many times every path is requested. */
  rounds?: number;
  /** A request still unanswered after this long counts as lost. */
  requestTimeoutMs?: number;
  /** No request is started after this long, so a stuck server cannot hold the burst forever. */
  deadlineMs?: number;
  progress?: (line: string) => void;
}

/** A 5xx answer, or a request that got no answer at all. */
export interface BurstProblem {
  path: string;
  status: number | "no response";
  detail: string;
}

export interface BurstResult {
  requests: number;
  /** Requests never started because the deadline passed. */
  notSent: number;
  seconds: number;
  statuses: ReadonlyMap<number | "no response", number>;
  problems: readonly BurstProblem[];
}

// What a current browser sends for a page or a picture, so the edge sees the same cache keys.
const browserHeaders = {
  accept: "text/html,application/xhtml+xml,image/avif,image/webp,image/svg+xml,*/*;q=0.8",
  "accept-encoding": "gzip, deflate, br, zstd",
  "accept-language": "en-GB,en;q=0.9",
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64) GoodGreets-burst/1.0",
};

const maxDetailCharacters = 400;

/** An error page's words without its markup, so a report shows what the server said (first 4 KB only). */
const bodyText = (body: string) =>
  body
    .slice(0, 4096)
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();

async function requestOnce(
  url: string,
  timeoutMs: number,
): Promise<{ status: number | "no response"; detail: string }> {
  try {
    const response = await fetch(url, { headers: browserHeaders, signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    if (response.status < 500) return { status: response.status, detail: "" };
    const headers = ["x-cache", "x-amz-cf-id"].map((name) => `${name}: ${response.headers.get(name) ?? "-"}`);
    return {
      status: response.status,
      detail: `${headers.join(", ")}; body: ${bodyText(body).slice(0, maxDetailCharacters)}`,
    };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return {
      status: "no response",
      detail: `${error instanceof Error ? error.message : String(error)}${cause}`,
    };
  }
}

/** `200 × 430, 503 × 2`: the statuses in ascending order. */
export function formatStatuses(statuses: ReadonlyMap<number | "no response", number>): string {
  const order = (status: number | "no response") => (status === "no response" ? 1000 : status);
  return [...statuses]
    .sort(([a], [b]) => order(a) - order(b))
    .map(([status, count]) => `${status} × ${count}`)
    .join(", ");
}

export async function runBurst(options: BurstOptions): Promise<BurstResult> {
  const concurrency = options.concurrency ?? 50;
  const rounds = options.rounds ?? 10;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const deadlineMs = options.deadlineMs ?? 300_000;
  const progress = options.progress ?? (() => {});
  const total = rounds * options.paths.length;
  const statuses = new Map<number | "no response", number>();
  const problems: BurstProblem[] = [];
  const started = performance.now();
  let next = 0;
  let done = 0;

  // Each worker takes the next request of the round-robin list until all are sent or time is up.
  const worker = async () => {
    while (next < total && performance.now() - started < deadlineMs) {
      const path = options.paths[next % options.paths.length] ?? "/";
      next += 1;
      const outcome = await requestOnce(`${options.baseUrl}${path}`, requestTimeoutMs);
      statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
      if (outcome.status === "no response" || outcome.status >= 500)
        problems.push({ path, status: outcome.status, detail: outcome.detail });
      done += 1;
      if (done % options.paths.length === 0)
        progress(`round ${done / options.paths.length}/${rounds}: ${formatStatuses(statuses)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(total, 1)) }, worker));

  return {
    requests: done,
    notSent: total - next,
    seconds: (performance.now() - started) / 1000,
    statuses,
    problems,
  };
}

/** True when the burst met the acceptance bar: every request answered, and none with a 5xx. */
export function burstPassed(result: BurstResult): boolean {
  return result.problems.length === 0 && result.notSent === 0;
}

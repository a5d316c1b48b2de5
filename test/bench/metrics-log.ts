// A generated CloudFront access log of any size for the metrics bench: the local edge's 33 fields, a
// site-like mix of pages, pictures with width/format query strings and API calls, hits and misses.

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { accessLogHeader } from "../../infra/metrics/log-format.ts";
import { seededRandom } from "../../infra/metrics/traffic-mix.ts";

const pages = ["/", "/designs/birthday/", "/designs/thank-you/", "/design/balloon-bunch/", "/create/"];
const widths = [320, 640, 960, 1280];
const formats = ["webp", "avif", "jpeg"];

/** Writes `lines` log lines over one day to `file`; resolves once they are on disk. */
export async function writeBenchLog(file: string, lines: number): Promise<void> {
  const random = seededRandom(1_000_003);
  const out = createWriteStream(file);
  out.write(accessLogHeader);
  const start = Date.parse("2026-11-27T00:00:00Z");
  let chunk = "";
  for (let index = 0; index < lines; index += 1) {
    const at = new Date(start + Math.floor((index / lines) * 86_400_000)).toISOString();
    const roll = random();
    let uri: string;
    let query = "-";
    let type = "text/html";
    if (roll < 0.45) {
      uri = `/img/catalog/design-${Math.floor(random() * 60)}.svg`;
      query = `w=${widths[Math.floor(random() * 4)]}&f=${formats[Math.floor(random() * 3)]}`;
      type = "image/svg+xml";
    } else if (roll < 0.55) {
      uri = "/api/health";
      type = "application/json";
    } else uri = pages[Math.floor(random() * pages.length)] ?? "/";
    const result =
      uri.startsWith("/api/") || random() < 0.12 ? "Miss" : random() < 0.02 ? "RefreshHit" : "Hit";
    const status = random() < 0.003 ? 502 : 200;
    const edgeResult = status === 502 ? "Error" : result;
    const taken = (result === "Hit" ? 0.001 + random() * 0.004 : 0.02 + random() * 0.3).toFixed(3);
    const bytes = 400 + Math.floor(random() * 20_000);
    chunk += `${at.slice(0, 10)}\t${at.slice(11, 19)}\tLOCAL\t${bytes}\t127.0.0.1\tGET\tlocalhost\t${uri}\t${status}\t-\tMozilla/5.0%20(X11;%20Linux%20x86_64)\t${query}\t-\t${edgeResult}\t${index.toString(36)}AAAAAAAAAAAAAAAA==\tlocalhost\thttp\t120\t${taken}\t-\t-\t-\t${edgeResult}\tHTTP/1.1\t-\t-\t${40_000 + (index % 20_000)}\t${taken}\t${status === 502 ? "OriginConnectError" : edgeResult}\t${type}\t${bytes - 300}\t-\t-\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

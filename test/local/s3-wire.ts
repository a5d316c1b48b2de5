// Raw signed HTTP for the S3 stand-in tests: the path goes on the wire exactly as written (no dot-segment
// resolution, unlike fetch), signed by any identity the way S3Client signs.
import { request as httpRequest } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { localRegion } from "../../infra/local/config.ts";

export interface WireAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function rawRequest(
  base: string,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<WireAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: pathAndQuery,
        headers,
        setHost: !("host" in headers),
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("error", reject);
        incoming.on("end", () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/** Signs `pathAndQuery` (sent exactly as written) with `credentials`, then sends it. */
export async function signedRequest(
  base: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  method: string,
  pathAndQuery: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<WireAnswer> {
  const url = new URL(base);
  const questionMark = pathAndQuery.indexOf("?");
  const path = questionMark < 0 ? pathAndQuery : pathAndQuery.slice(0, questionMark);
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(
    questionMark < 0 ? "" : pathAndQuery.slice(questionMark + 1),
  )) {
    query[name] = value;
  }
  const signer = new SignatureV4({
    service: "s3",
    region: localRegion,
    credentials,
    sha256: Sha256,
    uriEscapePath: false,
  });
  const signed = await signer.sign({
    method,
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query,
    headers: { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...headers },
  });
  return rawRequest(base, method, pathAndQuery, signed.headers as Record<string, string>, body);
}

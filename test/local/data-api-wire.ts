// Raw Data API calls for tests that must see the wire: hand-written JSON bodies (exact big integers,
// malformed members) signed with SigV4 as an SDK would, or with a forged signature.
import { request } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { localCredentials, localDatabase, localRegion } from "../../infra/local/config.ts";

export interface RawReply {
  status: number;
  errorType: string | undefined;
  text: string;
}

/** The request target every body needs, as JSON members. */
export const targetJson = `"resourceArn":${JSON.stringify(localDatabase.resourceArn)},"secretArn":${JSON.stringify(localDatabase.secretArn)}`;

export async function signedPost(
  baseUrl: string,
  path: string,
  body: string,
  secretAccessKey: string = localCredentials.secretAccessKey,
): Promise<RawReply> {
  const url = new URL(path, baseUrl);
  const signer = new SignatureV4({
    service: "rds-data",
    region: localRegion,
    credentials: { accessKeyId: localCredentials.accessKeyId, secretAccessKey },
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, "content-type": "application/json" },
    body,
  });
  return send(url, signed.headers as Record<string, string>, body);
}

export function send(url: URL, headers: Record<string, string>, body: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: "POST", headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () =>
        resolve({
          status: incoming.statusCode ?? 0,
          errorType: incoming.headers["x-amzn-errortype"] as string | undefined,
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      incoming.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

// Calls a function URL the way CloudFront's origin access control does: SigV4 for "lambda", the payload
// hash taken from the viewer's x-amz-content-sha256 (or an empty payload's when there is none).
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { localCredentials, localRegion } from "../../infra/local/config.ts";

export interface OacFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export async function oacFetch(base: string, pathAndQuery: string, options: OacFetchOptions = {}) {
  const url = new URL(base);
  const queryAt = pathAndQuery.indexOf("?");
  const path = queryAt === -1 ? pathAndQuery : pathAndQuery.slice(0, queryAt);
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(queryAt === -1 ? "" : pathAndQuery.slice(queryAt + 1))) {
    const existing = query[name];
    query[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const signer = new SignatureV4({
    service: "lambda",
    region: localRegion,
    credentials: options.credentials ?? localCredentials,
    sha256: Sha256,
    uriEscapePath: true,
  });
  const method = options.method ?? "GET";
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query,
    // No body: OAC does not read it; the signer uses x-amz-content-sha256 when the viewer sent one.
    headers: { host: url.host, ...options.headers },
  });
  return fetch(`${base}${pathAndQuery}`, {
    method,
    headers: signed.headers as Record<string, string>,
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
}

export const sha256Hex = async (text: string) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).toString("hex");

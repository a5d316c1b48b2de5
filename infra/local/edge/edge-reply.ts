// What the edge pipeline answers a viewer with: the response, and how the access log and X-Cache name it.
import type { EdgeResultType } from "./access-log.ts";
import type { HttpResponseParts } from "./edge-functions.ts";

export interface EdgeReply {
  response: HttpResponseParts;
  resultType: EdgeResultType;
  detailedResultType: string;
  /** Seconds since the cached object was stored, for the Age header; absent when not from the cache. */
  age?: number;
}

/** The X-Cache header names the cache outcome; every other outcome CloudFront reports as Error. */
export function xCacheResult(resultType: EdgeResultType): string {
  const named: EdgeResultType[] = [
    "Hit",
    "RefreshHit",
    "Miss",
    "FunctionGeneratedResponse",
    "LambdaGeneratedResponse",
  ];
  return named.includes(resultType) ? resultType : "Error";
}

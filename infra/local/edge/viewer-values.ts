// Query strings and cookies of a viewer request as ordered name/value pairs, the form every edge rule reads.

/** Name/value pairs of a raw query string, in order; a name without "=" has an empty value. */
export function queryPairs(rawQuery: string): [string, string][] {
  return rawQuery
    .split("&")
    .filter((part) => part !== "")
    .map(splitPair);
}

/** Name/value pairs of every Cookie header, in order. */
export function cookiePairs(headers: readonly (readonly [string, string])[]): [string, string][] {
  return headers
    .filter(([name]) => name.toLowerCase() === "cookie")
    .flatMap(([, value]) => value.split(";"))
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map(splitPair);
}

function splitPair(part: string): [string, string] {
  const equals = part.indexOf("=");
  return equals === -1 ? [part, ""] : [part.slice(0, equals), part.slice(equals + 1)];
}

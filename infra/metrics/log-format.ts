// CloudFront's standard access log format: the field list, the header, value encoding and a line parser.
// One module for the local edge's log writer and for the metrics reader, so both agree on every field.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html

/** Today's 33 fields in order. Older files declare a shorter prefix of this list under `#Version: 1.0`. */
export const accessLogFields = [
  "date",
  "time",
  "x-edge-location",
  "sc-bytes",
  "c-ip",
  "cs-method",
  "cs(Host)",
  "cs-uri-stem",
  "sc-status",
  "cs(Referer)",
  "cs(User-Agent)",
  "cs-uri-query",
  "cs(Cookie)",
  "x-edge-result-type",
  "x-edge-request-id",
  "x-host-header",
  "cs-protocol",
  "cs-bytes",
  "time-taken",
  "x-forwarded-for",
  "ssl-protocol",
  "ssl-cipher",
  "x-edge-response-result-type",
  "cs-protocol-version",
  "fle-status",
  "fle-encrypted-fields",
  "c-port",
  "time-to-first-byte",
  "x-edge-detailed-result-type",
  "sc-content-type",
  "sc-content-len",
  "sc-range-start",
  "sc-range-end",
] as const;

export type AccessLogField = (typeof accessLogFields)[number];

export const accessLogHeader = `#Version: 1.0\n#Fields: ${accessLogFields.join(" ")}\n`;

/**
 * A field name as a SQL column, as Athena's CloudFront table names them: `cs(Host)` → `cs_host`,
 * `x-edge-result-type` → `x_edge_result_type`. Standard logging v2 adds fields in the same style.
 */
export function columnName(field: string): string {
  return field
    .toLowerCase()
    .replace(/[()]/g, (character) => (character === "(" ? "_" : ""))
    .replace(/[^a-z0-9_]/g, "_");
}

// RFC 1738 escapes CloudFront applies: control characters and space, bytes ≥ 127, and this set.
const escapedCharacters = new Set([
  "<",
  ">",
  '"',
  "#",
  "%",
  "{",
  "}",
  "|",
  "\\",
  "^",
  "~",
  "[",
  "]",
  "`",
  "'",
]);

/** Encodes a field value the way CloudFront's log writer does; empty values become "-". */
export function encodeLogValue(value: string | undefined): string {
  if (value === undefined || value === "") return "-";
  let encoded = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const character = String.fromCharCode(byte);
    encoded +=
      byte <= 32 || byte >= 127 || escapedCharacters.has(character)
        ? `%${byte.toString(16).toUpperCase().padStart(2, "0")}`
        : character;
  }
  return encoded;
}

/** What a file's comment header declares: its field list, or none (standard logging v2's plain output). */
export interface LogHeader {
  version: string | undefined;
  fields: string[] | undefined;
}

/** Reads `#Version:` and `#Fields:` from a file's first lines; stops at the first data line. */
export function readLogHeader(firstLines: string[]): LogHeader {
  let version: string | undefined;
  let fields: string[] | undefined;
  for (const line of firstLines) {
    if (!line.startsWith("#")) break;
    if (line.startsWith("#Version:")) version = line.slice("#Version:".length).trim();
    if (line.startsWith("#Fields:"))
      fields = line
        .slice("#Fields:".length)
        .trim()
        .split(/\s+/)
        .filter((name) => name !== "");
  }
  return { version, fields };
}

/** Parses a log file's text into records keyed by field name, as the `#Fields` header declares them. */
export function parseAccessLog(text: string): Record<AccessLogField, string>[] {
  const lines = text.split("\n");
  const { fields } = readLogHeader(lines.filter((line) => line.startsWith("#")));
  if (!fields) throw new Error("not a CloudFront access log: no #Fields header");
  return lines
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const values = line.split("\t");
      return Object.fromEntries(fields.map((name, index) => [name, values[index] ?? ""])) as Record<
        AccessLogField,
        string
      >;
    });
}

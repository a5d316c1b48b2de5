// The Data API's SQL rules as pure functions: one statement per call, no COPY over the client connection,
// and named `:parameters` turned into PostgreSQL's `$n` with the casts the Data API gives each value kind.
import { sqlSegments } from "../../../origin/db/sql-lexer.ts";
import { DataApiError } from "./errors.ts";
import type { SqlParameter, TypeHint } from "./request.ts";

export interface PreparedStatement {
  text: string;
  values: unknown[];
}

const hintCasts: Record<TypeHint, string> = {
  DATE: "date",
  DECIMAL: "numeric",
  JSON: "json",
  TIME: "time",
  TIMESTAMP: "timestamp",
  UUID: "uuid",
};

const isNameCharacter = (character: string | undefined) =>
  character !== undefined && /^[A-Za-z0-9_]$/.test(character);

/** One parameter as a PostgreSQL value and the cast the Data API gives its kind. */
function bind(parameter: SqlParameter): { value: unknown; cast: string | undefined } {
  const field = parameter.value;
  const kinds = Object.entries(field).filter(([, value]) => value !== undefined);
  if (kinds.length !== 1)
    throw new DataApiError(
      "BadRequestException",
      `Parameter ${parameter.name} must set exactly one value field`,
    );
  const hinted = parameter.typeHint ? hintCasts[parameter.typeHint] : undefined;
  if (field.isNull) return { value: null, cast: hinted };
  if (field.booleanValue !== undefined) return { value: field.booleanValue, cast: "boolean" };
  if (field.longValue !== undefined) return { value: field.longValue.toString(), cast: "bigint" };
  if (field.doubleValue !== undefined) return { value: String(field.doubleValue), cast: "double precision" };
  if (field.stringValue !== undefined) return { value: field.stringValue, cast: hinted ?? "text" };
  if (field.blobValue !== undefined) return { value: Buffer.from(field.blobValue, "base64"), cast: "bytea" };
  throw new DataApiError(
    "BadRequestException",
    "Array parameters are not supported by the Data API for PostgreSQL",
  );
}

const multistatement = () => new DataApiError("ValidationException", "Multistatements aren't supported.");

/** The code words of a statement (outside literals and comments), upper-cased. */
function codeWords(sql: string): string[] {
  const words: string[] = [];
  for (const segment of sqlSegments(sql))
    if (segment.kind === "code")
      for (const word of sql.slice(segment.start, segment.end).match(/[A-Za-z_]+/g) ?? [])
        words.push(word.toUpperCase());
  return words;
}

/**
 * Refuses what the Data API refuses before the database sees it: more than one statement in a call
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.troubleshooting.html), and COPY
 * to or from the client, which an HTTP call has no stream for.
 */
export function checkStatement(sql: string): void {
  let ended = false;
  for (const segment of sqlSegments(sql)) {
    if (segment.kind === "line-comment" || segment.kind === "block-comment") continue;
    if (segment.kind !== "code") {
      // A literal or quoted name after the end of a statement starts another one.
      if (ended) throw multistatement();
      continue;
    }
    for (let index = segment.start; index < segment.end; index += 1) {
      const character = sql[index] as string;
      if (character === ";") ended = true;
      else if (ended && !/\s/.test(character)) throw multistatement();
    }
  }
  const words = codeWords(sql);
  if (words[0] === "COPY" && (words.includes("STDIN") || words.includes("STDOUT")))
    throw new DataApiError(
      "DatabaseErrorException",
      "ERROR: COPY FROM STDIN and COPY TO STDOUT are not supported by the Data API",
    );
}

/**
 * Replaces `:name` with `$n::cast`, leaving string literals, quoted identifiers, comments, dollar-quoted
 * bodies and `::type` casts alone. Names may start with a digit: drizzle-orm's Data API driver sends `:1`.
 */
export function translateStatement(sql: string, parameters: readonly SqlParameter[] = []): PreparedStatement {
  const byName = new Map(parameters.map((parameter) => [parameter.name, parameter]));
  const positions = new Map<string, number>();
  const values: unknown[] = [];
  const parts: string[] = [];
  for (const segment of sqlSegments(sql)) {
    if (segment.kind !== "code") {
      parts.push(sql.slice(segment.start, segment.end));
      continue;
    }
    let from = segment.start;
    let index = segment.start;
    while (index < segment.end) {
      if (sql[index] !== ":") {
        index += 1;
        continue;
      }
      if (sql[index + 1] === ":") {
        index += 2;
        continue;
      }
      let nameEnd = index + 1;
      while (nameEnd < segment.end && isNameCharacter(sql[nameEnd])) nameEnd += 1;
      if (nameEnd === index + 1) {
        index += 1;
        continue;
      }
      const name = sql.slice(index + 1, nameEnd);
      const parameter = byName.get(name);
      if (!parameter)
        throw new DataApiError("BadRequestException", `No value specified for parameter: ${name}`);
      const { value, cast } = bind(parameter);
      let position = positions.get(name);
      if (position === undefined) {
        values.push(value);
        position = values.length;
        positions.set(name, position);
      }
      parts.push(sql.slice(from, index), cast ? `$${position}::${cast}` : `$${position}`);
      from = nameEnd;
      index = nameEnd;
    }
    parts.push(sql.slice(from, segment.end));
  }
  return { text: parts.join(""), values };
}

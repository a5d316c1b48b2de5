// Splits PostgreSQL text into code and the parts that are not code (string literals, quoted identifiers,
// comments, dollar-quoted bodies) in one linear pass, so named parameters and statement ends are found
// only where PostgreSQL would see them. https://www.postgresql.org/docs/17/sql-syntax-lexical.html

export type SqlSegmentKind = "code" | "string" | "identifier" | "line-comment" | "block-comment" | "dollar";

export interface SqlSegment {
  kind: SqlSegmentKind;
  /** Index of the first character. */
  start: number;
  /** Index after the last character; an unterminated literal or comment runs to the end of the text. */
  end: number;
}

const isIdentifierCharacter = (code: number) =>
  (code >= 48 && code <= 57) ||
  (code >= 65 && code <= 90) ||
  (code >= 97 && code <= 122) ||
  code === 95 ||
  code === 36 ||
  code > 127;

const isTagStart = (code: number) =>
  (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code > 127;

/** The end of a '…' literal starting at `start`; E'…' literals also escape with a backslash. */
function stringEnd(sql: string, start: number, backslashEscapes: boolean): number {
  let index = start + 1;
  while (index < sql.length) {
    const character = sql[index];
    if (backslashEscapes && character === "\\") index += 2;
    else if (character === "'") {
      if (sql[index + 1] !== "'") return index + 1;
      index += 2;
    } else index += 1;
  }
  return sql.length;
}

/** The end of a "…" identifier; "" inside stands for one quote. */
function identifierEnd(sql: string, start: number): number {
  let index = start + 1;
  while (index < sql.length) {
    if (sql[index] === '"') {
      if (sql[index + 1] !== '"') return index + 1;
      index += 2;
    } else index += 1;
  }
  return sql.length;
}

/** The end of a /* … *\/ comment, which nests in PostgreSQL. */
function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  let index = start;
  while (index < sql.length) {
    if (sql[index] === "/" && sql[index + 1] === "*") {
      depth += 1;
      index += 2;
    } else if (sql[index] === "*" && sql[index + 1] === "/") {
      depth -= 1;
      index += 2;
      if (depth === 0) return index;
    } else index += 1;
  }
  return sql.length;
}

/** The opening `$tag$` at `start`, if one starts there. */
function dollarTag(sql: string, start: number): string | undefined {
  let index = start + 1;
  if (sql[index] === "$") return "$$";
  if (!isTagStart(sql.charCodeAt(index))) return undefined;
  while (index < sql.length && sql[index] !== "$") {
    const code = sql.charCodeAt(index);
    if (!isIdentifierCharacter(code) || code === 36) return undefined;
    index += 1;
  }
  return index < sql.length ? sql.slice(start, index + 1) : undefined;
}

/** The segments of `sql` in order; together they cover the whole text. */
export function* sqlSegments(sql: string): Generator<SqlSegment> {
  let codeStart = 0;
  let index = 0;
  while (index < sql.length) {
    const character = sql[index];
    const previous = index > 0 ? sql.charCodeAt(index - 1) : -1;
    let kind: SqlSegmentKind | undefined;
    let end = index;
    if (character === "'") {
      // E'…' (or e'…') is an escape string when the E is a word of its own.
      const escapeString =
        (previous === 69 || previous === 101) &&
        !(index > 1 && isIdentifierCharacter(sql.charCodeAt(index - 2)));
      kind = "string";
      end = stringEnd(sql, index, escapeString);
    } else if (character === '"') {
      kind = "identifier";
      end = identifierEnd(sql, index);
    } else if (character === "-" && sql[index + 1] === "-") {
      kind = "line-comment";
      const newline = sql.indexOf("\n", index);
      end = newline === -1 ? sql.length : newline;
    } else if (character === "/" && sql[index + 1] === "*") {
      kind = "block-comment";
      end = blockCommentEnd(sql, index);
    } else if (character === "$" && !isIdentifierCharacter(previous)) {
      const tag = dollarTag(sql, index);
      if (tag !== undefined) {
        kind = "dollar";
        const close = sql.indexOf(tag, index + tag.length);
        end = close === -1 ? sql.length : close + tag.length;
      }
    }
    if (kind === undefined) {
      index += 1;
      continue;
    }
    if (index > codeStart) yield { kind: "code", start: codeStart, end: index };
    yield { kind, start: index, end };
    index = end;
    codeStart = end;
  }
  if (sql.length > codeStart) yield { kind: "code", start: codeStart, end: sql.length };
}

/**
 * The statements of a script, split at top-level semicolons (never inside quotes, comments or
 * dollar-quoted bodies), trimmed, empty ones and line comments dropped.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = "";
  for (const segment of sqlSegments(sql)) {
    if (segment.kind === "line-comment") continue;
    if (segment.kind !== "code") {
      current += sql.slice(segment.start, segment.end);
      continue;
    }
    let from = segment.start;
    for (let index = segment.start; index < segment.end; index += 1) {
      if (sql[index] !== ";") continue;
      statements.push(current + sql.slice(from, index));
      current = "";
      from = index + 1;
    }
    current += sql.slice(from, segment.end);
  }
  statements.push(current);
  return statements.map((statement) => statement.trim()).filter((statement) => statement !== "");
}

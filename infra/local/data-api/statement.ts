// The Data API's SQL rules as pure functions: named `:parameters` turned into PostgreSQL's `$n` with the
// casts the Data API applies, and PostgreSQL values turned into Data API fields and JSON records.

export interface SqlField {
  isNull?: boolean;
  booleanValue?: boolean;
  longValue?: number;
  doubleValue?: number;
  stringValue?: string;
  blobValue?: string;
  arrayValue?: ArrayField;
}
export interface ArrayField {
  booleanValues?: boolean[];
  longValues?: number[];
  doubleValues?: number[];
  stringValues?: string[];
  arrayValues?: ArrayField[];
}
export type TypeHint = "DATE" | "DECIMAL" | "JSON" | "TIME" | "TIMESTAMP" | "UUID";
export interface SqlParameter {
  name: string;
  value: SqlField;
  typeHint?: TypeHint;
}

export class StatementError extends Error {}

const hintCasts: Record<TypeHint, string> = {
  DATE: "date",
  DECIMAL: "numeric",
  JSON: "json",
  TIME: "time",
  TIMESTAMP: "timestamp",
  UUID: "uuid",
};

/** One parameter as a PostgreSQL value and the cast the Data API gives its kind. */
function bind(parameter: SqlParameter): { value: unknown; cast: string | undefined } {
  const field = parameter.value ?? {};
  const kinds = Object.keys(field).filter((key) => (field as Record<string, unknown>)[key] !== undefined);
  if (kinds.length !== 1)
    throw new StatementError(`Parameter ${parameter.name} must set exactly one value field`);
  if (parameter.typeHint !== undefined && !(parameter.typeHint in hintCasts))
    throw new StatementError(
      `Invalid typeHint ${String(parameter.typeHint)} for parameter ${parameter.name}`,
    );
  const hinted = parameter.typeHint ? hintCasts[parameter.typeHint] : undefined;
  if (field.isNull) return { value: null, cast: hinted };
  if (field.booleanValue !== undefined) return { value: field.booleanValue, cast: "boolean" };
  if (field.longValue !== undefined) return { value: String(field.longValue), cast: "bigint" };
  if (field.doubleValue !== undefined) return { value: String(field.doubleValue), cast: "double precision" };
  if (field.stringValue !== undefined) return { value: field.stringValue, cast: hinted ?? "text" };
  if (field.blobValue !== undefined) return { value: Buffer.from(field.blobValue, "base64"), cast: "bytea" };
  if (field.arrayValue !== undefined)
    throw new StatementError("Array parameters are not supported by the Data API for PostgreSQL");
  throw new StatementError(`Parameter ${parameter.name} has no value`);
}

/**
 * Replaces `:name` with `$n::cast`, leaving string literals, quoted identifiers, comments, dollar-quoted
 * bodies and `::type` casts alone.
 */
export function translateStatement(
  sql: string,
  parameters: readonly SqlParameter[] = [],
): { text: string; values: unknown[] } {
  const byName = new Map(parameters.map((parameter) => [parameter.name, parameter]));
  const positions = new Map<string, number>();
  const values: unknown[] = [];
  let text = "";
  let index = 0;
  while (index < sql.length) {
    const character = sql[index] as string;
    const rest = sql.slice(index);
    const skip = /^'(?:[^']|'')*'|^"(?:[^"]|"")*"|^--[^\n]*|^\/\*[\s\S]*?\*\//.exec(rest);
    const dollar = /^\$([A-Za-z_]\w*)?\$/.exec(rest);
    if (skip) {
      text += skip[0];
      index += skip[0].length;
    } else if (dollar) {
      const end = sql.indexOf(dollar[0], index + dollar[0].length);
      const stop = end === -1 ? sql.length : end + dollar[0].length;
      text += sql.slice(index, stop);
      index = stop;
    } else if (rest.startsWith("::")) {
      text += "::";
      index += 2;
    } else if (character === ":" && /^:[A-Za-z_]\w*/.test(rest)) {
      const name = (/^:([A-Za-z_]\w*)/.exec(rest) as RegExpExecArray)[1] as string;
      const parameter = byName.get(name);
      if (!parameter) throw new StatementError(`No value specified for parameter: ${name}`);
      let position = positions.get(name);
      const { value, cast } = bind(parameter);
      if (position === undefined) {
        values.push(value);
        position = values.length;
        positions.set(name, position);
      }
      text += cast ? `$${position}::${cast}` : `$${position}`;
      index += name.length + 1;
    } else {
      text += character;
      index += 1;
    }
  }
  return { text, values };
}

// PostgreSQL type OIDs, as pglite reports them in `fields`.
export const oids = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  float4: 700,
  float8: 701,
  numeric: 1700,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

const arrayElements: Record<number, number> = {
  1000: 16,
  1005: 21,
  1007: 23,
  1016: 20,
  1021: 700,
  1022: 701,
  1231: 1700,
};

export const typeNames: Record<number, [name: string, jdbc: number]> = {
  16: ["bool", -7],
  17: ["bytea", -2],
  20: ["int8", -5],
  21: ["int2", 5],
  23: ["int4", 4],
  25: ["text", 12],
  26: ["oid", -5],
  114: ["json", 1111],
  700: ["float4", 7],
  701: ["float8", 8],
  1042: ["bpchar", 1],
  1043: ["varchar", 12],
  1082: ["date", 91],
  1083: ["time", 92],
  1114: ["timestamp", 93],
  1184: ["timestamptz", 93],
  1700: ["numeric", 2],
  2950: ["uuid", 1111],
  3802: ["jsonb", 1111],
};

/** Data API timestamps have no zone and no "T"; the stand-in's session runs in UTC like Aurora's default. */
function dataApiTime(text: string): string {
  return text.replace(/([+-]\d{2}(:\d{2})?)$/, "");
}

export interface ResultOptions {
  decimalReturnType?: "DOUBLE_OR_LONG" | "STRING";
  longReturnType?: "LONG" | "STRING";
}

/** One PostgreSQL text value as the Data API field for its column type. */
export function toField(text: string | null, typeId: number, options: ResultOptions = {}): SqlField {
  if (text === null) return { isNull: true };
  switch (typeId) {
    case oids.bool:
      return { booleanValue: text === "t" || text === "true" };
    case oids.int2:
    case oids.int4:
    case oids.int8:
    case oids.oid:
      return options.longReturnType === "STRING" ? { stringValue: text } : { longValue: Number(text) };
    case oids.float4:
    case oids.float8:
      return { doubleValue: Number(text) };
    case oids.numeric:
      if (options.decimalReturnType === "DOUBLE_OR_LONG")
        return /^-?\d+$/.test(text) ? { longValue: Number(text) } : { doubleValue: Number(text) };
      return { stringValue: text };
    case oids.bytea:
      return { blobValue: Buffer.from(text.replace(/^\\x/, ""), "hex").toString("base64") };
    case oids.timestamp:
    case oids.timestamptz:
    case oids.time:
      return { stringValue: dataApiTime(text) };
    default: {
      const element = arrayElements[typeId];
      if (
        element !== undefined ||
        (text.startsWith("{") && text.endsWith("}") && typeId >= 1000 && typeId < 1300)
      )
        return { arrayValue: toArray(text, element ?? 25) };
      return { stringValue: text };
    }
  }
}

function toArray(text: string, elementType: number): ArrayField {
  const items =
    text
      .slice(1, -1)
      .match(/"(?:[^"\\]|\\.)*"|[^,]+/g)
      ?.map((item) => (item.startsWith('"') ? item.slice(1, -1).replace(/\\(.)/g, "$1") : item)) ?? [];
  if (elementType === oids.bool) return { booleanValues: items.map((item) => item === "t") };
  if (elementType === oids.int2 || elementType === oids.int4 || elementType === oids.int8)
    return { longValues: items.map(Number) };
  if (elementType === oids.float4 || elementType === oids.float8) return { doubleValues: items.map(Number) };
  return { stringValues: items };
}

/** The value a column takes in `formattedRecords` (formatRecordsAs: JSON). */
export function toJsonValue(text: string | null, typeId: number, options: ResultOptions = {}): unknown {
  const field = toField(text, typeId, options);
  if (field.isNull) return null;
  if (field.arrayValue) {
    const array = field.arrayValue;
    return array.booleanValues ?? array.longValues ?? array.doubleValues ?? array.stringValues ?? [];
  }
  return (
    field.booleanValue ?? field.longValue ?? field.doubleValue ?? field.stringValue ?? field.blobValue ?? null
  );
}

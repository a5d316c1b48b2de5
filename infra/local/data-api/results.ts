// PostgreSQL result values (text format) as the Data API returns them: typed fields, JSON records and
// column metadata, with 64-bit integers written exactly and the types the Data API cannot return refused.
// https://docs.aws.amazon.com/rdsdataservice/latest/APIReference/API_Field.html
import { DataApiError } from "./errors.ts";
import type { ResultOptions } from "./request.ts";

/** A number written into JSON as these exact digits (JSON.rawJSON), never through a double. */
export interface ExactNumber {
  readonly rawJSON: string;
}
const exact = (digits: string): ExactNumber =>
  (JSON as unknown as { rawJSON(text: string): ExactNumber }).rawJSON(digits);

export interface ResultArray {
  booleanValues?: boolean[];
  longValues?: ExactNumber[];
  doubleValues?: number[];
  stringValues?: string[];
}
export interface ResultField {
  isNull?: true;
  booleanValue?: boolean;
  longValue?: ExactNumber;
  doubleValue?: number;
  stringValue?: string;
  blobValue?: string;
  arrayValue?: ResultArray;
}

// PostgreSQL type OIDs (pg_type).
const oids = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  float4: 700,
  float8: 701,
  numeric: 1700,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

/** Array types and the type of their elements. */
const arrayElements: Record<number, number> = {
  1000: oids.bool,
  1005: oids.int2,
  1007: oids.int4,
  1016: oids.int8,
  1021: oids.float4,
  1022: oids.float8,
  1231: oids.numeric,
  1009: 25,
  1015: 1043,
  1014: 1042,
  1183: oids.time,
  1115: oids.timestamp,
  1185: oids.timestamptz,
  1182: 1082,
  2951: 2950,
  199: 114,
  3807: 3802,
};

/**
 * Types the Data API for Aurora Serverless v2 and provisioned clusters does not return: geometric and
 * monetary ones, and their arrays.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.differences.html
 */
const unsupported: Record<number, string> = {
  790: "money",
  791: "_money",
  600: "point",
  601: "lseg",
  602: "path",
  603: "box",
  604: "polygon",
  628: "line",
  718: "circle",
  1017: "_point",
  1018: "_lseg",
  1019: "_path",
  1020: "_box",
  1027: "_polygon",
  629: "_line",
  719: "_circle",
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

/** Refuses a column whose type the Data API cannot return, before any row is encoded. */
export function checkColumnType(typeId: number): void {
  const name = unsupported[typeId];
  if (name !== undefined)
    throw new DataApiError(
      "UnsupportedResultException",
      `The result contains the unsupported data type ${name}.`,
    );
}

/** Data API timestamps have no zone and no "T"; the server runs in UTC like Aurora's default. */
const dataApiTime = (text: string) => text.replace(/([+-]\d{2}(:\d{2})?)$/, "");

/** One PostgreSQL text value as the Data API field for its column type. */
export function toField(text: string | null, typeId: number, options: ResultOptions = {}): ResultField {
  if (text === null) return { isNull: true };
  switch (typeId) {
    case oids.bool:
      return { booleanValue: text === "t" };
    case oids.int2:
    case oids.int4:
    case oids.int8:
    case oids.oid:
      return options.longReturnType === "STRING" ? { stringValue: text } : { longValue: exact(text) };
    case oids.float4:
    case oids.float8:
      return { doubleValue: Number(text) };
    case oids.numeric:
      if (options.decimalReturnType === "DOUBLE_OR_LONG")
        return /^-?\d+$/.test(text) ? { longValue: exact(text) } : { doubleValue: Number(text) };
      return { stringValue: text };
    case oids.bytea:
      return { blobValue: Buffer.from(text.slice(2), "hex").toString("base64") };
    case oids.timestamp:
    case oids.timestamptz:
    case oids.time:
      return { stringValue: dataApiTime(text) };
    default: {
      const element = arrayElements[typeId];
      return element === undefined ? { stringValue: text } : { arrayValue: toArray(text, element, options) };
    }
  }
}

/** The elements of a one-dimensional array literal, in one pass; NULL elements are null. */
function arrayItems(text: string): (string | null)[] {
  const items: (string | null)[] = [];
  let index = 1;
  while (index < text.length - 1) {
    if (text[index] === '"') {
      let item = "";
      index += 1;
      while (index < text.length && text[index] !== '"') {
        if (text[index] === "\\") index += 1;
        item += text[index] ?? "";
        index += 1;
      }
      items.push(item);
      index += 2;
    } else {
      const comma = text.indexOf(",", index);
      const end = comma === -1 ? text.length - 1 : comma;
      const item = text.slice(index, end);
      items.push(item === "NULL" ? null : item);
      index = end + 1;
    }
  }
  return items;
}

function toArray(text: string, elementType: number, options: ResultOptions): ResultArray {
  // An array with lower bounds other than 1 starts with them, e.g. "[0:1]={a,b}" or "[1:2][1:2]={{…}}".
  const bounds = text.startsWith("[") ? text.slice(0, text.indexOf("=")) : "";
  const literal = text.slice(bounds.length === 0 ? 0 : bounds.length + 1);
  // Multi-dimensional arrays are not returned by the Data API for Aurora Serverless v2 and provisioned
  // clusters.
  if (literal.startsWith("{{") || bounds.includes("]["))
    throw new DataApiError(
      "UnsupportedResultException",
      "The result contains the unsupported data type multidimensional array.",
    );
  const fields = arrayItems(literal).map((item) => toField(item, elementType, options));
  const first = fields.find((field) => !field.isNull);
  if (first?.booleanValue !== undefined)
    return { booleanValues: fields.map((field) => field.booleanValue ?? false) };
  if (first?.longValue !== undefined)
    return { longValues: fields.map((field) => field.longValue ?? exact("0")) };
  if (first?.doubleValue !== undefined)
    return { doubleValues: fields.map((field) => field.doubleValue ?? 0) };
  return { stringValues: fields.map((field) => field.stringValue ?? "") };
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

/** The `columnMetadata` entry of one result column. */
export function columnMetadata(name: string, typeId: number) {
  const [typeName, type] = typeNames[typeId] ?? ["unknown", 1111];
  return {
    name,
    label: name,
    typeName,
    type,
    nullable: 2,
    precision: 0,
    scale: 0,
    isSigned: [20, 21, 23, 700, 701, 1700].includes(typeId),
    isAutoIncrement: false,
    isCaseSensitive: typeName === "text" || typeName === "varchar",
    isCurrency: false,
    arrayBaseColumnType: 0,
    schemaName: "",
    tableName: "",
  };
}

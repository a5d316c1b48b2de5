// The Data API's request bodies: JSON read with exact 64-bit integers, checked against the operations'
// shapes (https://docs.aws.amazon.com/rdsdataservice/latest/APIReference/API_Operations.html).
import * as v from "valibot";
import { DataApiError } from "./errors.ts";

const typeHints = ["DATE", "DECIMAL", "JSON", "TIME", "TIMESTAMP", "UUID"] as const;
export type TypeHint = (typeof typeHints)[number];

const field = v.object({
  isNull: v.optional(v.boolean()),
  booleanValue: v.optional(v.boolean()),
  // Read as a bigint so values beyond 2^53 stay exact (see parseBody).
  longValue: v.optional(v.bigint("must be a whole number")),
  doubleValue: v.optional(v.number()),
  stringValue: v.optional(v.string()),
  blobValue: v.optional(v.pipe(v.string(), v.base64("must be base64"))),
  arrayValue: v.optional(v.record(v.string(), v.unknown())),
});
export type SqlField = v.InferOutput<typeof field>;

const parameter = v.object({
  name: v.string(),
  value: field,
  typeHint: v.optional(v.picklist(typeHints)),
});
export type SqlParameter = v.InferOutput<typeof parameter>;

// ExecuteStatement's `sql`: "Length Constraints: Maximum length of 65536."
const sql = v.pipe(v.string(), v.minLength(1), v.maxLength(65_536));
const arn = v.pipe(v.string(), v.minLength(11), v.maxLength(100));
const target = {
  resourceArn: arn,
  secretArn: arn,
  database: v.optional(v.string()),
  schema: v.optional(v.string()),
};
const transactionId = v.pipe(v.string(), v.maxLength(192));

export const executeStatement = v.object({
  ...target,
  sql,
  parameters: v.optional(v.array(parameter)),
  transactionId: v.optional(transactionId),
  includeResultMetadata: v.optional(v.boolean()),
  // Accepted; locally a statement past the time limit is always cancelled, as it is when this is false.
  continueAfterTimeout: v.optional(v.boolean()),
  resultSetOptions: v.optional(
    v.object({
      decimalReturnType: v.optional(v.picklist(["STRING", "DOUBLE_OR_LONG"])),
      longReturnType: v.optional(v.picklist(["STRING", "LONG"])),
    }),
  ),
  formatRecordsAs: v.optional(v.picklist(["NONE", "JSON"])),
});
export type ExecuteStatementRequest = v.InferOutput<typeof executeStatement>;
export type ResultOptions = NonNullable<ExecuteStatementRequest["resultSetOptions"]>;

export const batchExecuteStatement = v.object({
  ...target,
  sql,
  parameterSets: v.optional(v.array(v.array(parameter))),
  transactionId: v.optional(transactionId),
});

export const beginTransaction = v.object(target);

export const endTransaction = v.object({
  resourceArn: arn,
  secretArn: arn,
  transactionId,
});

/**
 * Parses a request body in one pass; `longValue` numbers become bigints read from their source text, so
 * 9007199254740993 arrives as itself and not as the nearest double.
 */
export function parseBody(text: string): unknown {
  try {
    return JSON.parse(
      text === "" ? "{}" : text,
      function (this: unknown, key, value, context?: { source?: string }) {
        if (key === "longValue" && typeof value === "number") {
          const source = context?.source ?? String(value);
          return /^-?\d+$/.test(source) ? BigInt(source) : value;
        }
        return value;
      },
    );
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new DataApiError("BadRequestException", "The request body is not valid JSON");
    throw error;
  }
}

/** The body as `schema` describes it, or a BadRequestException naming the first field that is wrong. */
export function readRequest<Schema extends v.GenericSchema>(
  schema: Schema,
  body: unknown,
): v.InferOutput<Schema> {
  const result = v.safeParse(schema, body);
  if (result.success) return result.output;
  const [issue] = result.issues;
  const path = v.getDotPath(issue) ?? "body";
  throw new DataApiError("BadRequestException", `Invalid ${path}: ${issue.message}`);
}

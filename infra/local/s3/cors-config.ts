// A bucket's CORS configuration as S3 keeps it: PutBucketCors' XML read and checked the way S3 checks it,
// and written back for GetBucketCors. Sources: S3 User Guide, "Elements of a CORS configuration"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html): up to 100 rules; methods
// GET, PUT, POST, DELETE, HEAD; an AllowedOrigin or AllowedHeader holds at most one `*`; and S3 API
// Reference, PutBucketCors / CORSRule (ID at most 255 characters). The refusal texts are S3's as other
// S3-compatible servers reproduce them (MinIO's cmd/api-errors.go); ⚠️ not read in AWS's own pages.
import { type S3Error, s3Error } from "./errors.ts";
import { elementTexts, escapeXml, unescapeXml } from "./xml.ts";

export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

export const corsMethods: readonly string[] = ["GET", "PUT", "HEAD", "POST", "DELETE"];
export const maxCorsRules = 100;
/** The largest configuration document S3 takes (64 KB, as for other bucket sub-resource documents ⚠️). */
export const maxCorsBytes = 64 * 1024;

const malformed = () =>
  s3Error(
    "MalformedXML",
    "The XML you provided was not well-formed or did not validate against our published schema",
  );

const texts = (xml: string, name: string) => elementTexts(xml, name).map((text) => unescapeXml(text.trim()));

const wildcards = (text: string) => text.split("*").length - 1;

export function parseCorsConfiguration(
  xml: string,
): { ok: true; rules: CorsRule[] } | { ok: false; error: S3Error } {
  const [configuration] = elementTexts(xml, "CORSConfiguration");
  if (configuration === undefined) return { ok: false, error: malformed() };
  const ruleTexts = elementTexts(configuration, "CORSRule");
  if (ruleTexts.length === 0 || ruleTexts.length > maxCorsRules) return { ok: false, error: malformed() };
  const rules: CorsRule[] = [];
  for (const text of ruleTexts) {
    const allowedMethods = texts(text, "AllowedMethod");
    const allowedOrigins = texts(text, "AllowedOrigin");
    if (allowedMethods.length === 0 || allowedOrigins.length === 0) return { ok: false, error: malformed() };
    const unsupported = allowedMethods.find((method) => !corsMethods.includes(method));
    if (unsupported !== undefined)
      return {
        ok: false,
        error: s3Error(
          "InvalidRequest",
          `Found unsupported HTTP method in CORS config. Unsupported method is ${unsupported}`,
        ),
      };
    const allowedHeaders = texts(text, "AllowedHeader");
    for (const [name, values] of [
      ["AllowedOrigin", allowedOrigins],
      ["AllowedHeader", allowedHeaders],
    ] as const) {
      const wild = values.find((value) => wildcards(value) > 1);
      if (wild !== undefined)
        return {
          ok: false,
          error: s3Error("InvalidRequest", `${name} "${wild}" can not have more than one wildcard.`),
        };
    }
    const [id] = texts(text, "ID");
    if (id !== undefined && id.length > 255)
      return {
        ok: false,
        error: s3Error("InvalidArgument", "ID length should not exceed allowed limit of 255"),
      };
    const [maxAge] = texts(text, "MaxAgeSeconds");
    if (maxAge !== undefined && !/^[0-9]{1,9}$/.test(maxAge)) return { ok: false, error: malformed() };
    rules.push({
      ...(id === undefined ? {} : { id }),
      allowedOrigins,
      allowedMethods,
      allowedHeaders,
      exposeHeaders: texts(text, "ExposeHeader"),
      ...(maxAge === undefined ? {} : { maxAgeSeconds: Number(maxAge) }),
    });
  }
  return { ok: true, rules };
}

/** GetBucketCors' document: the rules as they were put, elements in the order S3 writes them. */
export function corsConfigurationDocument(rules: readonly CorsRule[]): string {
  const each = (name: string, values: readonly string[]) =>
    values.map((value) => `<${name}>${escapeXml(value)}</${name}>`).join("");
  const body = rules
    .map(
      (rule) =>
        `<CORSRule>${rule.id === undefined ? "" : each("ID", [rule.id])}${each("AllowedHeader", rule.allowedHeaders)}${each("AllowedMethod", rule.allowedMethods)}${each("AllowedOrigin", rule.allowedOrigins)}${each("ExposeHeader", rule.exposeHeaders)}${rule.maxAgeSeconds === undefined ? "" : each("MaxAgeSeconds", [String(rule.maxAgeSeconds)])}</CORSRule>`,
    )
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</CORSConfiguration>`;
}

// A multipart/form-data reader for S3's browser POST upload: the fields before the file are read into memory up
// to a cap, then the file streams out as it arrives. Every search resumes where it stopped: linear in the body.
import { Readable } from "node:stream";

export interface FormUpload {
  /** Fields before the file, by lower-case name (S3 matches form field names case-insensitively). */
  fields: Map<string, string>;
  fileName: string;
  file: Readable;
}

export type FormProblem = "fields-too-large" | "malformed" | "no-file";

/** The form's bytes stopped short: the client went away or the closing boundary never came. */
export class FormBodyError extends Error {}

const crlf = Buffer.from("\r\n");
const headerEnd = Buffer.from("\r\n\r\n");

/** Pulls chunks from a paused stream without async iterators, whose early return would destroy the socket. */
class ChunkReader {
  private readonly stream: Readable;
  constructor(stream: Readable) {
    this.stream = stream;
  }

  async next(): Promise<Buffer | undefined> {
    for (;;) {
      const chunk = this.stream.read() as Buffer | null;
      if (chunk !== null) return chunk;
      if (this.stream.readableEnded) return undefined;
      if (this.stream.destroyed)
        throw new FormBodyError("The client closed the connection before the form ended.");
      await new Promise<void>((resolve, reject) => {
        const settle = (error?: Error) => {
          this.stream.off("readable", onReady).off("end", onReady).off("error", settle).off("close", onClose);
          if (error) reject(error);
          else resolve();
        };
        const onReady = () => settle();
        const onClose = () =>
          settle(new FormBodyError("The client closed the connection before the form ended."));
        this.stream
          .once("readable", onReady)
          .once("end", onReady)
          .once("error", settle)
          .once("close", onClose);
      });
    }
  }
}

/** The name and filename of a part from its Content-Disposition header. */
function disposition(headers: string): { name: string; fileName: string | undefined } | undefined {
  for (const line of headers.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== "content-disposition") continue;
    const value = line.slice(colon + 1);
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(value)?.[1];
    const fileName = /(?:^|;)\s*filename="([^"]*)"/i.exec(value)?.[1];
    return name === undefined ? undefined : { name, fileName };
  }
  return undefined;
}

/**
 * Reads the form up to the start of its file part. `maxFieldBytes` caps everything before the file (S3 answers
 * MaxPostPreDataLengthExceededError past it). The file stream ends at the part's closing boundary; what follows
 * the file is left unread, as S3 ignores fields after it.
 */
export async function readForm(
  stream: Readable,
  boundary: string,
  maxFieldBytes: number,
): Promise<FormUpload | FormProblem> {
  const reader = new ChunkReader(stream);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // The first boundary has no CRLF before it: pretend it had one.
  let pending = Buffer.from(crlf);
  let consumed = 0;
  const fields = new Map<string, string>();
  /** Reads until `needle` appears at or after `from`; a problem when the form ends or passes the cap first. */
  const find = async (needle: Buffer, from: number): Promise<number | FormProblem> => {
    let searchFrom = from;
    for (;;) {
      const at = pending.indexOf(needle, searchFrom);
      if (at >= 0) return at;
      searchFrom = Math.max(from, pending.length - needle.length + 1);
      if (consumed + pending.length > maxFieldBytes) return "fields-too-large";
      const chunk = await reader.next();
      if (chunk === undefined) return "malformed";
      pending = Buffer.concat([pending, chunk]);
    }
  };
  let at = await find(delimiter, 0);
  if (typeof at !== "number") return at;
  for (;;) {
    // After a boundary: "--" closes the form, CRLF opens the next part.
    const afterBoundary = at + delimiter.length;
    const lineEnd = await find(crlf, afterBoundary);
    if (pending.subarray(afterBoundary, afterBoundary + 2).toString() === "--") return "no-file";
    if (typeof lineEnd !== "number") return lineEnd;
    const headersEnd = await find(headerEnd, lineEnd);
    if (typeof headersEnd !== "number") return headersEnd;
    const part = disposition(pending.subarray(lineEnd + 2, headersEnd).toString("utf8"));
    if (!part) return "malformed";
    const bodyStart = headersEnd + headerEnd.length;
    if (consumed + bodyStart > maxFieldBytes) return "fields-too-large";
    if (part.name.toLowerCase() === "file") {
      return {
        fields,
        fileName: part.fileName ?? "",
        file: fileStream(reader, pending.subarray(bodyStart), delimiter),
      };
    }
    const valueEnd = await find(delimiter, bodyStart);
    if (typeof valueEnd !== "number") return valueEnd;
    if (consumed + valueEnd > maxFieldBytes) return "fields-too-large";
    fields.set(part.name.toLowerCase(), pending.subarray(bodyStart, valueEnd).toString("utf8"));
    consumed += valueEnd;
    pending = pending.subarray(valueEnd);
    at = 0;
  }
}

/** The file part's bytes: everything up to the next delimiter, holding back only a delimiter's length. */
function fileStream(reader: ChunkReader, start: Buffer, delimiter: Buffer): Readable {
  async function* bytes() {
    let carry = start;
    for (;;) {
      const at = carry.indexOf(delimiter);
      if (at >= 0) {
        if (at > 0) yield carry.subarray(0, at);
        return;
      }
      const keep = Math.max(0, carry.length - (delimiter.length - 1));
      if (keep > 0) yield carry.subarray(0, keep);
      const chunk = await reader.next();
      if (chunk === undefined) throw new FormBodyError("The form ended before the file's closing boundary.");
      carry = Buffer.concat([carry.subarray(keep), chunk]);
    }
  }
  return Readable.from(bytes(), { objectMode: false });
}

/** The boundary of a multipart/form-data Content-Type, or undefined for any other type. */
export function formBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const [type, ...parameters] = contentType.split(";");
  if (type?.trim().toLowerCase() !== "multipart/form-data") return undefined;
  for (const parameter of parameters) {
    const equals = parameter.indexOf("=");
    if (equals < 0 || parameter.slice(0, equals).trim().toLowerCase() !== "boundary") continue;
    const value = parameter
      .slice(equals + 1)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    return value.length >= 1 && value.length <= 70 ? value : undefined;
  }
  return undefined;
}

// The one way a stand-in reads a request body: whole, up to a limit, keeping no more than the limit in
// memory. An over-limit body is still read to its end (and dropped), so the client gets the service's
// "too large" answer instead of a connection reset halfway through its upload.

/** The body, or undefined when it is longer than `maxBytes`. */
export async function readBody(
  request: AsyncIterable<Buffer>,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size <= maxBytes) chunks.push(chunk);
  }
  return size > maxBytes ? undefined : Buffer.concat(chunks, size);
}

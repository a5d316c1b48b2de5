// The upload path as a page walks it, for tests through the local edge: solve the local WAF challenge,
// get the grant with the token, POST the file to S3 with the grant's fields, ask for the check.
import { expect } from "vitest";

/** What the page does: fetch the question, work it out, send the answer, keep the token. */
export async function solveCaptcha(edgeUrl: string): Promise<string> {
  const { challenge, question } = (await (await fetch(`${edgeUrl}/.local-waf/challenge`)).json()) as {
    challenge: string;
    question: string;
  };
  const [, a, b] = /What is (\d+) \+ (\d+)\?/.exec(question) ?? [];
  const answer = await fetch(`${edgeUrl}/.local-waf/verify`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ challenge, answer: String(Number(a) + Number(b)) }),
  });
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { token: string }).token;
}

export const requestGrant = (edgeUrl: string, token?: string, extra: Record<string, string> = {}) =>
  fetch(`${edgeUrl}/api/uploads`, {
    method: "POST",
    headers: { ...(token ? { "x-aws-waf-token": token } : {}), ...extra },
  });

/** Grant and POST to S3, as far as the check: the upload id and S3's answer. */
export async function sendToS3(edgeUrl: string, token: string, file: Buffer, name = "card.jpg") {
  const granted = await requestGrant(edgeUrl, token);
  expect(granted.status).toBe(201);
  const { uploadId, url, fields } = (await granted.json()) as {
    uploadId: string;
    url: string;
    fields: Record<string, string>;
  };
  const form = new FormData();
  for (const [field, value] of Object.entries(fields)) form.append(field, value);
  form.append("file", new Blob([new Uint8Array(file)]), name);
  return { uploadId, posted: await fetch(url, { method: "POST", body: form }) };
}

/** Grant, POST to S3, check: each answer, for the test to judge. */
export async function uploadAndCheck(edgeUrl: string, token: string, file: Buffer) {
  const { uploadId, posted } = await sendToS3(edgeUrl, token, file);
  const check = await fetch(`${edgeUrl}/api/uploads/${uploadId}/check`, { method: "POST" });
  return { uploadId, posted, check };
}

/** An accepted picture's site path (/img/uploads/<uploadId>.<ext>), the whole way through. */
export async function acceptedPicture(edgeUrl: string, file: Buffer): Promise<string> {
  const { check } = await uploadAndCheck(edgeUrl, await solveCaptcha(edgeUrl), file);
  expect(check.status).toBe(201);
  return ((await check.json()) as { image: { url: string } }).image.url;
}

// The pages' clock: the browser's, shifted to the API's when an answer says what time it is there, so a
// stack started at another date (a demo of a card due next spring) shows countdowns and windows by its time (countdown.ts words them).

let offsetMs = 0;

/** Takes the API's "now" (ISO 8601) as the truth from here on. */
export function learnServerNow(serverNow: string | undefined, receivedAt = Date.now()): void {
  if (serverNow === undefined) return;
  const server = Date.parse(serverNow);
  if (!Number.isNaN(server)) offsetMs = server - receivedAt;
}

export function pageNow(): Date {
  return new Date(Date.now() + offsetMs);
}

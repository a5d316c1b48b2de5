// What a card's fields may hold that a page needs before it checks a form: the length limits (its inputs'
// maxlength) and which time zones are real. Apart from the schema (./schema.ts, which uses both) so a page
// can draw its form without valibot, and fetch the schema only when the form is sent.

/** Lengths are counted in UTF-16 code units, as a browser's `maxlength` counts them. */
export const limits = {
  name: 80,
  email: 254,
  title: 120,
  message: 1000,
  timeZone: 64,
  /** The sender's description of their own picture (its alt text). */
  pictureDescription: 300,
} as const;

/** True for an IANA zone name the runtime knows ("Europe/London", "UTC"); offsets like "+01:00" are not zones. */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

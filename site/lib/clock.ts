// The pages' clock: the browser's, shifted to the API's when an answer says what time it is there, so a
// stack started at another date (a demo of a card due next spring) shows countdowns and windows by its time.

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

/** "3 days, 4 hours", "12 minutes", "less than a minute": how long until `target`. */
export function describeCountdown(target: Date, now: Date): string {
  const minutes = Math.floor((target.getTime() - now.getTime()) / 60_000);
  if (minutes < 1) return "less than a minute";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const plural = (count: number, unit: string) => `${count} ${unit}${count === 1 ? "" : "s"}`;
  if (days > 0) return hours > 0 ? `${plural(days, "day")}, ${plural(hours, "hour")}` : plural(days, "day");
  if (hours > 0)
    return mins > 0 ? `${plural(hours, "hour")}, ${plural(mins, "minute")}` : plural(hours, "hour");
  return plural(mins, "minute");
}

/** "Saturday 1 May 2027, 09:00" in the zone, in the reader's language. */
export function describeInstant(instant: Date, timeZone: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(instant);
}

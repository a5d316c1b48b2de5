// When a card is delivered: a local wall time ("YYYY-MM-DDTHH:mm") in an IANA time zone resolved to one
// instant, with the DST rules and the delivery window. Pure (the clock is passed in) and browser-safe
// (Intl only), so the create page shows exactly what the API will store.
//
// The rules (docs/api.md, "Delivery time"):
// - A local time that does not exist (the hour skipped when clocks go forward) is refused, naming
//   deliverAt; the refusal carries the same wall-clock moment read with the offset before the change
//   (02:30 in a 01:00→02:00 gap becomes 03:30), which the page offers instead.
// - A local time that happens twice (the hour repeated when clocks go back) means the first of the
//   two, i.e. the earlier instant, which has the offset in force before the change.
// - The instant must be after `now` and at most 3 calendar months after it (UTC calendar; a day past
//   the end of the target month is clamped to its last day: 31 May + 3 months = 31 Aug, 30 Nov → 28/29 Feb).

export interface ResolvedDeliveryTime {
  ok: true;
  instant: Date;
  /** The offset in force at the instant, like "+01:00". */
  offset: string;
  /** True when the local time happened twice and the earlier one was chosen. */
  ambiguous: boolean;
}

export type DeliveryTimeErrorCode =
  | "invalid_date_time"
  | "unknown_time_zone"
  | "nonexistent_local_time"
  | "delivery_in_past"
  | "delivery_too_far";

export interface DeliveryTimeError {
  ok: false;
  code: DeliveryTimeErrorCode;
  field: "deliverAt" | "timeZone";
  message: string;
  /** For a nonexistent local time: the same moment after the clocks changed, to offer instead. */
  suggestion?: { deliverAt: string; offset: string };
}

export type DeliveryTimeResult = ResolvedDeliveryTime | DeliveryTimeError;

const minuteMs = 60_000;
const dayMs = 86_400_000;
export const deliveryWindowMonths = 3;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's formatter, or undefined when the runtime does not know the zone. */
function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  let formatter = formatters.get(timeZone);
  if (formatter) return formatter;
  try {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      era: "short",
    });
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  formatters.set(timeZone, formatter);
  return formatter;
}

/** Milliseconds since the epoch of a wall time read as if it were UTC; fields may overflow as in Date.UTC. */
function wallMs(year: number, month: number, day: number, hour: number, minute: number, second = 0): number {
  // Date.UTC reads years 0–99 as 1900–1999; 400 years on, the Gregorian calendar repeats exactly.
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second);
  const date = new Date(Date.UTC(year + 400, month - 1, day, hour, minute, second));
  date.setUTCFullYear(date.getUTCFullYear() - 400);
  return date.getTime();
}

/** The wall time in `formatter`'s zone at `epochMs`, as milliseconds read as UTC. */
function wallAt(formatter: Intl.DateTimeFormat, epochMs: number): number {
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(epochMs)) parts[part.type] = part.value;
  const yearOfEra = Number(parts.year);
  const year = parts.era === "BC" || parts.era === "B" ? 1 - yearOfEra : yearOfEra;
  return wallMs(
    year,
    Number(parts.month),
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
}

/** The zone's offset from UTC at an instant, in milliseconds (whole seconds). */
function offsetAt(formatter: Intl.DateTimeFormat, epochMs: number): number {
  const whole = Math.floor(epochMs / 1000) * 1000;
  return wallAt(formatter, whole) - whole;
}

/** "+01:00", "-03:30", "+00:00". */
export function formatOffset(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / minuteMs);
  const sign = offsetMs < 0 ? "-" : "+";
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

function formatWall(wall: number): string {
  return new Date(wall).toISOString().slice(0, 16);
}

/** The local wall time ("YYYY-MM-DDTHH:mm") and offset of an instant in a zone, to show a stored time. */
export function zonedDateTime(instant: Date, timeZone: string): { deliverAt: string; offset: string } {
  const formatter = formatterFor(timeZone);
  if (!formatter) throw new RangeError(`Unknown time zone ${timeZone}`);
  const offset = offsetAt(formatter, instant.getTime());
  return { deliverAt: formatWall(instant.getTime() + offset), offset: formatOffset(offset) };
}

/** The last instant a card may be delivered at, given the clock: `now` plus 3 calendar months (UTC). */
export function latestDelivery(now: Date): Date {
  const target = new Date(now.getTime());
  const day = target.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + deliveryWindowMonths);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}

/** Parses "YYYY-MM-DDTHH:mm" into a wall time read as UTC, or undefined when it names no real date. */
function parseLocal(local: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || day < 1) return undefined;
  const daysInMonth = new Date(wallMs(year, month + 1, 0, 0, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  return wallMs(year, month, day, hour, minute);
}

/** Resolves a local wall time in a zone to an instant by the DST rules above (no window check). */
export function resolveLocalTime(deliverAt: string, timeZone: string): DeliveryTimeResult {
  const formatter = formatterFor(timeZone);
  if (!formatter)
    return {
      ok: false,
      code: "unknown_time_zone",
      field: "timeZone",
      message: `${timeZone} is not a time zone we know. Pick one such as Europe/London.`,
    };
  const wall = parseLocal(deliverAt);
  if (wall === undefined)
    return {
      ok: false,
      code: "invalid_date_time",
      field: "deliverAt",
      message: `${deliverAt} is not a date and time. Use the form 2027-04-01T09:00.`,
    };
  // The offsets a day either side bracket any DST change near this wall time; each gives one candidate
  // instant, and a candidate is real when the zone's offset at it is the one that produced it.
  const before = offsetAt(formatter, wall - dayMs);
  const after = offsetAt(formatter, wall + dayMs);
  const candidates = [...new Set([wall - before, wall - after])]
    .filter((instant) => offsetAt(formatter, instant) === wall - instant)
    .toSorted((a, b) => a - b);
  const [first] = candidates;
  if (first !== undefined)
    return {
      ok: true,
      instant: new Date(first),
      offset: formatOffset(wall - first),
      ambiguous: candidates.length > 1,
    };
  const suggestion = zonedDateTime(new Date(wall - before), timeZone);
  return {
    ok: false,
    code: "nonexistent_local_time",
    field: "deliverAt",
    // Both said as a person reads a clock: the skipped wall time (`wall` reads it as UTC) and the instant
    // the same moment falls on after the change, in the zone.
    message:
      `${describeInstant(new Date(wall), "UTC", "en-GB")} does not exist in ${timeZone}: the clocks go ` +
      `forward then. The same moment after the change is ${describeInstant(new Date(wall - before), timeZone, "en-GB")}.`,
    suggestion,
  };
}

/** "Saturday, 1 May 2027 at 09:00" (en-GB) as the clock on the wall in the zone reads it, in the given language. */
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

/** Resolves a delivery time and checks it falls in the window: after `now`, at most 3 months ahead. */
export function resolveDeliveryTime(
  request: { deliverAt: string; timeZone: string },
  now: Date,
): DeliveryTimeResult {
  const resolved = resolveLocalTime(request.deliverAt, request.timeZone);
  if (!resolved.ok) return resolved;
  if (resolved.instant.getTime() <= now.getTime())
    return {
      ok: false,
      code: "delivery_in_past",
      field: "deliverAt",
      message: "The delivery time has passed. Pick a time in the future.",
    };
  const latest = latestDelivery(now);
  if (resolved.instant.getTime() > latest.getTime()) {
    // The API's messages are British English: the date's words do not follow the Lambda's or the browser's locale.
    const by = describeInstant(latest, request.timeZone, "en-GB");
    return {
      ok: false,
      code: "delivery_too_far",
      field: "deliverAt",
      message: `A card can be delivered at most ${deliveryWindowMonths} months ahead: by ${by} (${request.timeZone}).`,
    };
  }
  return resolved;
}

// How long until a moment, in words (the organiser's countdown to delivery); apart from clock.ts, which the
// create page loads too, so that page does not carry it.

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

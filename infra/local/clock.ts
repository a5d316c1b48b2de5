// The stack's clock: GOODGREETS_NOW=2027-03-01T09:00:00Z starts it at that instant, and it runs on from
// there at the real pace, so the API's date rules (and the edge's) can be tried as of any day.

export const clockSetting = "GOODGREETS_NOW";

/** The clock for a setting; the real clock when unset. Throws a message naming the setting when invalid. */
export function stackClock(setting: string | undefined, realNow: () => number = Date.now): () => number {
  if (setting === undefined || setting === "") return realNow;
  // An instant with its offset (or Z), so the setting means the same moment on every machine.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(setting))
    throw new Error(
      `${clockSetting} must be an instant like 2027-03-01T09:00:00Z, not ${JSON.stringify(setting)}`,
    );
  // Date.parse rolls 30 February over into March: the fields must name a real date and time.
  const [year, month, day, hour, minute] = setting.split(/[-T:]/, 5).map(Number) as number[];
  const real = new Date(Date.UTC(year ?? 0, (month ?? 0) - 1, day ?? 0));
  const start = Date.parse(setting);
  if (real.getUTCDate() !== day || real.getUTCMonth() + 1 !== month || (hour ?? 0) > 23 || (minute ?? 0) > 59)
    throw new Error(`${clockSetting} is not a real date and time: ${setting}`);
  const shift = start - realNow();
  return () => realNow() + shift;
}

// The delivery-time rules: a local wall time in a zone resolved to one instant (DST gaps refused with the
// moment after the change offered, overlaps → the earlier instant) and the window (future, ≤ 3 months).
import { readFile } from "node:fs/promises";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  latestDelivery,
  resolveDeliveryTime,
  resolveLocalTime,
  zonedDateTime,
} from "../../origin/cards/delivery-time.ts";

const zones = [
  "Europe/London",
  "America/New_York",
  "America/Sao_Paulo",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Asia/Kolkata",
  "Pacific/Apia",
  "America/St_Johns",
  "UTC",
];
const minute = 60_000;
/** Minute-aligned instants from 2000 to 2040. */
const instants = fc
  .integer({ min: Date.UTC(2000, 0, 1) / minute, max: Date.UTC(2040, 0, 1) / minute })
  .map((minutes) => new Date(minutes * minute));
const zone = fc.constantFrom(...zones);

describe("resolving a local time", () => {
  it("reads an instant's own local time back as that instant, or the earlier one when it repeats", () => {
    fc.assert(
      fc.property(instants, zone, (instant, timeZone) => {
        const local = zonedDateTime(instant, timeZone);
        const resolved = resolveLocalTime(local.deliverAt, timeZone);
        if (!resolved.ok) throw new Error(`${local.deliverAt} ${timeZone}: ${resolved.message}`);
        expect(zonedDateTime(resolved.instant, timeZone).deliverAt).toBe(local.deliverAt);
        expect(resolved.instant.getTime()).toBeLessThanOrEqual(instant.getTime());
        if (resolved.instant.getTime() < instant.getTime()) expect(resolved.ambiguous).toBe(true);
        expect(resolved.offset).toBe(zonedDateTime(resolved.instant, timeZone).offset);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses a local time in a gap, offering the same moment after the change, which exists", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 24 * 60 * 400 }),
        zone,
        fc.integer({ min: 2020, max: 2035 }),
        (minutes, timeZone, year) => {
          const wall = new Date(Date.UTC(year, 0, 1) + minutes * minute).toISOString().slice(0, 16);
          const resolved = resolveLocalTime(wall, timeZone);
          if (resolved.ok || resolved.code !== "nonexistent_local_time") return;
          expect(resolved.field).toBe("deliverAt");
          const suggestion = resolved.suggestion;
          if (!suggestion) throw new Error("no suggestion");
          expect(suggestion.deliverAt > wall).toBe(true);
          const offered = resolveLocalTime(suggestion.deliverAt, timeZone);
          expect(offered.ok && offered.offset).toBe(suggestion.offset);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("follows the documented rule on the nights clocks change", () => {
    const gap = resolveLocalTime("2027-03-28T01:30", "Europe/London");
    expect(gap).toMatchObject({
      ok: false,
      code: "nonexistent_local_time",
      field: "deliverAt",
      suggestion: { deliverAt: "2027-03-28T02:30", offset: "+01:00" },
      message:
        "Sunday, 28 March 2027 at 01:30 does not exist in Europe/London: the clocks go forward then. " +
        "The same moment after the change is Sunday, 28 March 2027 at 02:30.",
    });
    expect(resolveLocalTime("2027-10-31T01:30", "Europe/London")).toEqual({
      ok: true,
      instant: new Date("2027-10-31T00:30:00Z"),
      offset: "+01:00",
      ambiguous: true,
    });
    expect(resolveLocalTime("2027-03-14T02:59", "America/New_York")).toMatchObject({
      ok: false,
      suggestion: { deliverAt: "2027-03-14T03:59", offset: "-04:00" },
    });
    expect(resolveLocalTime("2027-11-07T01:00", "America/New_York")).toMatchObject({
      ok: true,
      offset: "-04:00",
      ambiguous: true,
    });
    // Lord Howe moves by half an hour.
    expect(resolveLocalTime("2027-10-03T02:15", "Australia/Lord_Howe")).toMatchObject({
      ok: false,
      suggestion: { deliverAt: "2027-10-03T02:45", offset: "+11:00" },
    });
    // Samoa skipped 30 December 2011 altogether.
    expect(resolveLocalTime("2011-12-30T12:00", "Pacific/Apia")).toMatchObject({
      ok: false,
      code: "nonexistent_local_time",
      suggestion: { deliverAt: "2011-12-31T12:00", offset: "+14:00" },
    });
    expect(resolveLocalTime("2027-06-01T09:00", "Asia/Kolkata")).toMatchObject({
      ok: true,
      offset: "+05:30",
    });
  });

  it("names the field of a date off the calendar or an unknown zone", () => {
    for (const bad of [
      "2027-02-29T09:00",
      "2027-13-01T09:00",
      "2027-04-31T09:00",
      "2027-04-01T24:00",
      "2027-04-01T09:60",
      "2027-04-01 09:00",
      "x",
    ])
      expect(resolveLocalTime(bad, "UTC"), bad).toMatchObject({
        ok: false,
        code: "invalid_date_time",
        field: "deliverAt",
      });
    expect(resolveLocalTime("2028-02-29T09:00", "UTC")).toMatchObject({ ok: true });
    expect(resolveLocalTime("2027-04-01T09:00", "Mars/Olympus_Mons")).toMatchObject({
      ok: false,
      field: "timeZone",
    });
  });
});

describe("the delivery window", () => {
  it("accepts exactly the instants after now and at most three calendar months ahead", () => {
    fc.assert(
      fc.property(
        instants,
        fc.integer({ min: -10 * 24 * 60, max: 100 * 24 * 60 }),
        zone,
        (now, ahead, timeZone) => {
          const target = new Date(now.getTime() + ahead * minute);
          const local = zonedDateTime(target, timeZone);
          const resolved = resolveDeliveryTime({ deliverAt: local.deliverAt, timeZone }, now);
          const instant = resolveLocalTime(local.deliverAt, timeZone);
          if (!instant.ok) throw new Error("an instant's own local time exists");
          const inWindow = instant.instant > now && instant.instant <= latestDelivery(now);
          expect(resolved.ok, `${local.deliverAt} ${timeZone} at ${now.toISOString()}`).toBe(inWindow);
          if (!resolved.ok)
            expect(resolved.code).toBe(instant.instant > now ? "delivery_too_far" : "delivery_in_past");
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("ends three calendar months on, clamped to the end of a shorter month", () => {
    expect(latestDelivery(new Date("2027-03-01T09:00:00Z"))).toEqual(new Date("2027-06-01T09:00:00Z"));
    expect(latestDelivery(new Date("2027-05-31T23:59:00Z"))).toEqual(new Date("2027-08-31T23:59:00Z"));
    expect(latestDelivery(new Date("2027-11-30T10:00:00Z"))).toEqual(new Date("2028-02-29T10:00:00Z"));
    expect(latestDelivery(new Date("2026-11-30T10:00:00Z"))).toEqual(new Date("2027-02-28T10:00:00Z"));
    fc.assert(
      fc.property(instants, (now) => {
        const days = (latestDelivery(now).getTime() - now.getTime()) / 86_400_000;
        expect(days).toBeGreaterThanOrEqual(89);
        expect(days).toBeLessThanOrEqual(92);
      }),
    );
  });

  it("refuses now itself and a minute past the window's end", () => {
    const now = new Date("2027-03-01T09:00:00Z");
    expect(resolveDeliveryTime({ deliverAt: "2027-03-01T09:00", timeZone: "UTC" }, now)).toMatchObject({
      code: "delivery_in_past",
    });
    expect(resolveDeliveryTime({ deliverAt: "2027-03-01T09:01", timeZone: "UTC" }, now)).toMatchObject({
      ok: true,
    });
    expect(resolveDeliveryTime({ deliverAt: "2027-06-01T09:00", timeZone: "UTC" }, now)).toMatchObject({
      ok: true,
    });
    expect(resolveDeliveryTime({ deliverAt: "2027-06-01T09:01", timeZone: "UTC" }, now)).toMatchObject({
      code: "delivery_too_far",
      field: "deliverAt",
    });
  });

  it("says the window's end as a person reads it, on the sender's own clock and zone", () => {
    const now = new Date("2027-03-01T09:00:00Z");
    // 09:00 UTC on 1 June is 10:00 in London, on summer time by then.
    expect(
      resolveDeliveryTime({ deliverAt: "2027-06-02T09:00", timeZone: "Europe/London" }, now),
    ).toMatchObject({
      code: "delivery_too_far",
      message:
        "A card can be delivered at most 3 months ahead: by Tuesday, 1 June 2027 at 10:00 (Europe/London).",
    });
    expect(
      resolveDeliveryTime({ deliverAt: "2027-06-02T09:00", timeZone: "America/New_York" }, now),
    ).toMatchObject({
      message:
        "A card can be delivered at most 3 months ahead: by Tuesday, 1 June 2027 at 05:00 (America/New_York).",
    });
  });
});

describe("the browser can run it", () => {
  it("imports nothing (Intl only), and the schema only valibot and the field limits, which import nothing", async () => {
    for (const file of ["origin/cards/delivery-time.ts", "origin/cards/field-limits.ts"])
      expect(await readFile(file, "utf8")).not.toMatch(/^import /m);
    const schema = await readFile("origin/cards/schema.ts", "utf8");
    expect(schema.match(/^import .*$/gm)).toEqual([
      'import * as v from "valibot";',
      'import { isTimeZone, limits } from "./field-limits.ts";',
    ]);
  });
});

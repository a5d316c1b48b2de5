// What EventBridge Scheduler accepts in a schedule, checked the way it checks (ValidationException naming
// the field), and when a one-time at() schedule fires in its zone.
// https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
// https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#one-time

import { resolveLocalTime } from "../../../origin/cards/delivery-time.ts";
import { AwsError } from "../aws-error.ts";

export const validation = (message: string) => new AwsError(400, "ValidationException", message);
export const notFound = (message: string) => new AwsError(404, "ResourceNotFoundException", message);
export const conflict = (message: string) => new AwsError(409, "ConflictException", message);

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
}

/** A schedule as Scheduler keeps it (GetSchedule's fields) plus when it fires. */
export interface StoredSchedule {
  Name: string;
  GroupName: string;
  Arn: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone: string;
  FlexibleTimeWindow: { Mode: "OFF" | "FLEXIBLE"; MaximumWindowInMinutes?: number };
  Target: ScheduleTarget;
  State: "ENABLED" | "DISABLED";
  ActionAfterCompletion: "NONE" | "DELETE";
  Description?: string;
  CreationDate: number;
  LastModificationDate: number;
  /** Milliseconds since the epoch when the at() time comes; null for a local time DST skips. */
  fireAt: number | null;
}

export const namePattern = /^[0-9a-zA-Z-_.]{1,64}$/;
const arnPattern = /^arn:aws(-[a-z]+)*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.{1,1600}$/;
const atPattern = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):(\d{2})\)$/;
/** Retry policy limits: https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html */
export const retryLimits = { attempts: [0, 185], eventAgeSeconds: [60, 86_400] } as const;
export const defaultRetryPolicy = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function wholeIn(value: unknown, [low, high]: readonly [number, number], field: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < low || value > high)
    throw validation(`${field} must be a whole number from ${low} to ${high}.`);
  return value;
}

/**
 * The instant an at() expression names in a zone; null for a wall time the clocks skip, which Scheduler
 * skips: https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst ("your schedule invocation
 * gets skipped if the … expression falls on a non-existent date and time").
 */
export function fireTime(expression: string, timeZone: string): number | null {
  const match = atPattern.exec(expression);
  if (!match) {
    if (/^(rate|cron)\(/.test(expression))
      throw validation(
        "This local Scheduler runs one-time at() schedules only; rate() and cron() are not supported.",
      );
    throw validation(`Invalid Schedule Expression ${expression}.`);
  }
  const [, minute = "", seconds = "00"] = match;
  if (Number(seconds) > 59) throw validation(`Invalid Schedule Expression ${expression}.`);
  const resolved = resolveLocalTime(minute, timeZone);
  if (!resolved.ok && resolved.code === "nonexistent_local_time") return null;
  if (!resolved.ok)
    throw validation(
      resolved.code === "unknown_time_zone"
        ? `Invalid ScheduleExpressionTimezone ${timeZone}.`
        : `Invalid Schedule Expression ${expression}.`,
    );
  return resolved.instant.getTime() + Number(seconds) * 1000;
}

/** Checks a CreateSchedule/UpdateSchedule body; returns the fields to keep. */
export function checkSchedule(
  body: unknown,
): Omit<StoredSchedule, "Name" | "Arn" | "CreationDate" | "LastModificationDate"> {
  if (!isObject(body)) throw validation("The request body must be a JSON object.");
  const expression = body.ScheduleExpression;
  if (typeof expression !== "string" || expression.length < 1 || expression.length > 256)
    throw validation("ScheduleExpression is required (1 to 256 characters).");
  const timeZone = body.ScheduleExpressionTimezone ?? "UTC";
  if (typeof timeZone !== "string" || timeZone.length > 50)
    throw validation("Invalid ScheduleExpressionTimezone.");
  const fireAt = fireTime(expression, timeZone);

  const window = body.FlexibleTimeWindow;
  if (!isObject(window)) throw validation("FlexibleTimeWindow is required.");
  if (window.Mode !== "OFF" && window.Mode !== "FLEXIBLE")
    throw validation("FlexibleTimeWindow.Mode must be OFF or FLEXIBLE.");
  if (window.Mode === "FLEXIBLE")
    wholeIn(window.MaximumWindowInMinutes, [1, 1440], "FlexibleTimeWindow.MaximumWindowInMinutes");
  else if (window.MaximumWindowInMinutes !== undefined)
    throw validation("MaximumWindowInMinutes is only allowed when FlexibleTimeWindow.Mode is FLEXIBLE.");

  const target = body.Target;
  if (!isObject(target)) throw validation("Target is required.");
  if (typeof target.Arn !== "string" || !arnPattern.test(target.Arn))
    throw validation("Target.Arn must be an ARN.");
  if (typeof target.RoleArn !== "string" || !arnPattern.test(target.RoleArn))
    throw validation("Target.RoleArn must be an ARN.");
  if (
    target.Input !== undefined &&
    (typeof target.Input !== "string" || target.Input.length < 1 || target.Input.length > 8192)
  )
    throw validation("Target.Input must be 1 to 8192 characters.");
  const retry = target.RetryPolicy ?? defaultRetryPolicy;
  if (!isObject(retry)) throw validation("Target.RetryPolicy must be an object.");
  const RetryPolicy = {
    MaximumRetryAttempts: wholeIn(
      retry.MaximumRetryAttempts ?? defaultRetryPolicy.MaximumRetryAttempts,
      retryLimits.attempts,
      "Target.RetryPolicy.MaximumRetryAttempts",
    ),
    MaximumEventAgeInSeconds: wholeIn(
      retry.MaximumEventAgeInSeconds ?? defaultRetryPolicy.MaximumEventAgeInSeconds,
      retryLimits.eventAgeSeconds,
      "Target.RetryPolicy.MaximumEventAgeInSeconds",
    ),
  };
  const deadLetter = target.DeadLetterConfig;
  if (
    deadLetter !== undefined &&
    (!isObject(deadLetter) || typeof deadLetter.Arn !== "string" || !arnPattern.test(deadLetter.Arn))
  )
    throw validation("Target.DeadLetterConfig.Arn must be an SQS queue ARN.");

  const state = body.State ?? "ENABLED";
  if (state !== "ENABLED" && state !== "DISABLED") throw validation("State must be ENABLED or DISABLED.");
  const after = body.ActionAfterCompletion ?? "NONE";
  if (after !== "NONE" && after !== "DELETE")
    throw validation("ActionAfterCompletion must be NONE or DELETE.");
  const description = body.Description;
  if (description !== undefined && (typeof description !== "string" || description.length > 512))
    throw validation("Description must be at most 512 characters.");
  const group = body.GroupName ?? "default";
  if (typeof group !== "string" || !namePattern.test(group)) throw validation("Invalid GroupName.");

  return {
    GroupName: group,
    ScheduleExpression: expression,
    ScheduleExpressionTimezone: timeZone,
    FlexibleTimeWindow:
      window.Mode === "FLEXIBLE"
        ? { Mode: "FLEXIBLE", MaximumWindowInMinutes: window.MaximumWindowInMinutes as number }
        : { Mode: "OFF" },
    Target: {
      Arn: target.Arn,
      RoleArn: target.RoleArn,
      ...(typeof target.Input === "string" ? { Input: target.Input } : {}),
      RetryPolicy,
      ...(isObject(deadLetter) && typeof deadLetter.Arn === "string"
        ? { DeadLetterConfig: { Arn: deadLetter.Arn } }
        : {}),
    },
    State: state,
    ActionAfterCompletion: after,
    ...(typeof description === "string" ? { Description: description } : {}),
    fireAt,
  };
}

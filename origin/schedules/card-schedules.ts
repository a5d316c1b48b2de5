// Exactly one EventBridge Scheduler one-time schedule per card, named after it: created with the card,
// replaced whole when it is rescheduled (UpdateSchedule replaces every field), deleted when it is cancelled
// or deleted. The schedule fires at(...) the card's local time in its zone, so Scheduler applies the DST
// rules of that day, and deletes itself after it ran.
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { zonedDateTime } from "../cards/delivery-time.ts";

/** What the card lifecycle asks of the scheduler; the API takes it as a dependency. */
export interface CardSchedules {
  /** Creates or replaces the card's schedule for this instant, read in the card's zone. */
  put(card: { id: string; deliverAt: Date; timeZone: string }): Promise<void>;
  /** Deletes the card's schedule; a schedule already gone is fine. */
  remove(cardId: string): Promise<void>;
}

export interface SchedulerTarget {
  /** The schedule group the card schedules live in. */
  groupName: string;
  /** The delivery Lambda's ARN, the role Scheduler assumes to invoke it, the SQS dead-letter queue. */
  functionArn: string;
  roleArn: string;
  deadLetterQueueArn: string;
}

/**
 * Scheduler's limits: 0–185 retry attempts, event age 60–86,400 s
 * (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html). A day of retries covers a
 * throttled SES account; what is still undelivered after it lands in the dead-letter queue.
 */
export const deliveryRetryPolicy = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 };

export function scheduleName(cardId: string): string {
  return `card-${cardId}`;
}

/** The whole schedule: every field, because UpdateSchedule resets any field it is not given. */
export function cardSchedule(
  target: SchedulerTarget,
  card: { id: string; deliverAt: Date; timeZone: string },
): CreateScheduleCommandInput {
  const local = zonedDateTime(card.deliverAt, card.timeZone).deliverAt;
  // Whole seconds of the local wall time: at(yyyy-mm-ddThh:mm:ss).
  const seconds = String(card.deliverAt.getUTCSeconds()).padStart(2, "0");
  return {
    Name: scheduleName(card.id),
    GroupName: target.groupName,
    ScheduleExpression: `at(${local}:${seconds})`,
    ScheduleExpressionTimezone: card.timeZone,
    FlexibleTimeWindow: { Mode: "OFF" },
    ActionAfterCompletion: "DELETE",
    State: "ENABLED",
    Description: "Delivers a GoodGreets card",
    Target: {
      Arn: target.functionArn,
      RoleArn: target.roleArn,
      Input: JSON.stringify({ cardId: card.id }),
      RetryPolicy: deliveryRetryPolicy,
      DeadLetterConfig: { Arn: target.deadLetterQueueArn },
    },
  };
}

export function schedulerCardSchedules(client: SchedulerClient, target: SchedulerTarget): CardSchedules {
  return {
    async put(card) {
      const input = cardSchedule(target, card);
      try {
        await client.send(new CreateScheduleCommand(input));
      } catch (error) {
        // The card has its schedule already (a reschedule): replace it whole.
        if (!(error instanceof ConflictException)) throw error;
        await client.send(new UpdateScheduleCommand(input));
      }
    },
    async remove(cardId) {
      try {
        await client.send(
          new DeleteScheduleCommand({ Name: scheduleName(cardId), GroupName: target.groupName }),
        );
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}

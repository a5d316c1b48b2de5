// The delivery's pure rules: which SES failures may be retried, and the card schedule Scheduler is given.
import { SESv2ServiceException } from "@aws-sdk/client-sesv2";
import { describe, expect, it } from "vitest";
import { classify } from "../../origin/delivery/ses-send.ts";
import { cardSchedule } from "../../origin/schedules/card-schedules.ts";

const sesError = (name: string, status: number) =>
  new SESv2ServiceException({
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
    message: name,
  });

describe("classify", () => {
  it("retries throttling and 5xx, fails refusals, and never retries a call that got no answer", () => {
    expect(classify(sesError("TooManyRequestsException", 429)).kind).toBe("transient");
    expect(classify(sesError("InternalFailure", 500)).kind).toBe("transient");
    expect(classify(sesError("MessageRejected", 400))).toEqual({
      kind: "permanent",
      reason: "MessageRejected: MessageRejected",
    });
    expect(classify(sesError("AccountSuspendedException", 400)).kind).toBe("permanent");
    // A timeout or a dropped connection: SES may have taken the email.
    expect(classify(Object.assign(new Error("socket hang up"), { name: "TimeoutError" })).kind).toBe(
      "unknown",
    );
  });
});

describe("cardSchedule", () => {
  it("fires at the card's local wall time in its zone, once, with every field UpdateSchedule needs", () => {
    const input = cardSchedule(
      { groupName: "cards", functionArn: "arn:f", roleArn: "arn:r", deadLetterQueueArn: "arn:q" },
      { id: "abcdefghijklmnopqrstuv", deliverAt: new Date("2027-07-01T08:00:00Z"), timeZone: "Europe/Paris" },
    );
    expect(input).toEqual({
      Name: "card-abcdefghijklmnopqrstuv",
      GroupName: "cards",
      ScheduleExpression: "at(2027-07-01T10:00:00)",
      ScheduleExpressionTimezone: "Europe/Paris",
      FlexibleTimeWindow: { Mode: "OFF" },
      ActionAfterCompletion: "DELETE",
      State: "ENABLED",
      Description: "Delivers a GoodGreets card",
      Target: {
        Arn: "arn:f",
        RoleArn: "arn:r",
        Input: '{"cardId":"abcdefghijklmnopqrstuv"}',
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: "arn:q" },
      },
    });
  });
});

// The delivery's pure rules: which SES failures may be retried, the card schedule Scheduler is given, and
// what the organiser's confirmation says about their private link.
import { SESv2ServiceException } from "@aws-sdk/client-sesv2";
import { describe, expect, it } from "vitest";
import { confirmationEmail } from "../../origin/delivery/email.ts";
import { classify } from "../../origin/delivery/ses-send.ts";
import { cardSchedule } from "../../origin/schedules/card-schedules.ts";
import { sampleCardRow } from "../cards/sample-card-row.ts";

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

describe("the organiser's confirmation email", () => {
  const card = sampleCardRow();

  it("says plainly which link opens the organiser page and to keep it private, without the secret", () => {
    const email = confirmationEmail(card, "https://goodgreets.example");
    const keep = "Keep that link to yourself: anyone who has it can manage the card.";
    expect(email.text).toContain(
      "Your organiser page shows when Sam first opens the card. Open it with the organiser link you got " +
        "when you made the card: https://goodgreets.example/o/abcdefghijklmnopqrstuv followed by a private " +
        `part after the #, which we never put in an email. ${keep}`,
    );
    expect(email.html).toContain(
      "Open it with the organiser link you got when you made the card (the one with a private part after the #).",
    );
    expect(email.html).toContain(keep);
  });
});

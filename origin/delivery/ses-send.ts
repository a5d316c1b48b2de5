// One email through SES v2 SendEmail, tagged with the card it carries, and what a failed call means for the
// card: SES v2 has no idempotency token, so the class of the error decides whether a retry could double it.
import { type SESv2Client, SESv2ServiceException, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { RenderedEmail } from "./email.ts";

export interface OutgoingEmail {
  from: string;
  to: string;
  replyTo?: string;
  content: RenderedEmail;
  /** EmailTags: the card id (and the kind of email), so SES's send events name the card. */
  tags: Record<string, string>;
  configurationSet?: string;
}

export type SendOutcome =
  | { kind: "sent"; messageId: string }
  /** SES surely did not take it (throttled, 5xx answered): try again later. */
  | { kind: "transient"; reason: string }
  /** SES refused it for good: the reason is shown to the organiser. */
  | { kind: "permanent"; reason: string }
  /** No answer (timeout, connection lost): SES may have taken it, so it must not be sent again blindly. */
  | { kind: "unknown"; reason: string };

/**
 * Sends once (the client must be built with maxAttempts 1: the SDK's own retries would resend after a
 * timeout, which is exactly the blind resend to avoid). Errors become outcomes.
 */
export async function sendEmail(client: SESv2Client, email: OutgoingEmail): Promise<SendOutcome> {
  try {
    const result = await client.send(
      new SendEmailCommand({
        FromEmailAddress: email.from,
        Destination: { ToAddresses: [email.to] },
        ...(email.replyTo ? { ReplyToAddresses: [email.replyTo] } : {}),
        Content: {
          Simple: {
            Subject: { Data: email.content.subject, Charset: "UTF-8" },
            Body: {
              Html: { Data: email.content.html, Charset: "UTF-8" },
              Text: { Data: email.content.text, Charset: "UTF-8" },
            },
          },
        },
        EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
        ...(email.configurationSet ? { ConfigurationSetName: email.configurationSet } : {}),
      }),
    );
    if (!result.MessageId) return { kind: "unknown", reason: "SES answered without a message id" };
    return { kind: "sent", messageId: result.MessageId };
  } catch (error) {
    return classify(error);
  }
}

/**
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html#API_SendEmail_Errors:
 * TooManyRequestsException (429) drops the message; MessageRejected, MailFromDomainNotVerified,
 * AccountSuspended, SendingPaused, BadRequest and NotFound are refusals that a retry does not change.
 */
export function classify(error: unknown): SendOutcome {
  if (error instanceof SESv2ServiceException) {
    const status = error.$metadata.httpStatusCode;
    const reason = `${error.name}: ${error.message}`;
    if (error.name === "TooManyRequestsException" || status === 429) return { kind: "transient", reason };
    if (status !== undefined && status >= 500) return { kind: "transient", reason };
    if (status !== undefined && status >= 400) return { kind: "permanent", reason };
    return { kind: "unknown", reason };
  }
  return {
    kind: "unknown",
    reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
}

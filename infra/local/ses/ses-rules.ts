// What SES v2 SendEmail refuses, checked the way SES does, and the send events a configuration set's event
// destination receives. https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
// https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
import { AwsError } from "../aws-error.ts";

const badRequest = (message: string) => new AwsError(400, "BadRequestException", message);
/** SES names an address it cannot send from or to with this message, malformed ones included. */
export const notVerified = (address: string, region: string) =>
  new AwsError(
    400,
    "MessageRejected",
    `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${address}`,
  );

export interface SimpleEmail {
  from: string;
  fromAddress: string;
  to: string[];
  replyTo: string[];
  subject: string;
  html?: string;
  text?: string;
  tags: Record<string, string>;
  configurationSet?: string;
}

// Linear: each class is consumed once around the single @ and the last dot.
const addressPattern = /^[^@\s<>"]{1,64}@[^@\s<>".]+(\.[^@\s<>".]+)+$/;
const namedPattern = /^(.*)<([^<>]*)>$/;
const tagPattern = /^[A-Za-z0-9_-]{1,256}$/;
const maxRecipients = 50;

/** The bare address of "Name <a@b.example>" or "a@b.example"; undefined when malformed. */
export function addressOf(mailbox: string): string | undefined {
  const named = namedPattern.exec(mailbox.trim());
  const address = (named ? (named[2] ?? "") : mailbox).trim();
  return address.length <= 320 && addressPattern.test(address) ? address : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const strings = (value: unknown, field: string): string[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string"))
    throw badRequest(`${field} must be a list of email addresses.`);
  return value as string[];
};

/** Checks a SendEmail body with Simple content against the identities the account has verified. */
export function checkSendEmail(body: unknown, verified: ReadonlySet<string>, region: string): SimpleEmail {
  if (!isObject(body)) throw badRequest("The request body must be a JSON object.");
  const from = body.FromEmailAddress;
  if (typeof from !== "string")
    throw badRequest("FromEmailAddress is required when not sending a Raw message with a From header.");
  const fromAddress = addressOf(from);
  if (!fromAddress) throw notVerified(from, region);
  const domain = fromAddress.slice(fromAddress.lastIndexOf("@") + 1).toLowerCase();
  if (!verified.has(fromAddress.toLowerCase()) && !verified.has(domain))
    throw notVerified(fromAddress, region);

  const destination = isObject(body.Destination) ? body.Destination : {};
  const to = strings(destination.ToAddresses, "Destination.ToAddresses");
  const all = [
    ...to,
    ...strings(destination.CcAddresses, "Destination.CcAddresses"),
    ...strings(destination.BccAddresses, "Destination.BccAddresses"),
  ];
  if (all.length === 0) throw badRequest("Missing required field: Destination needs at least one recipient.");
  if (all.length > maxRecipients) throw badRequest(`Recipient count exceeds ${maxRecipients}.`);
  for (const recipient of all) if (!addressOf(recipient)) throw notVerified(recipient, region);
  const replyTo = strings(body.ReplyToAddresses, "ReplyToAddresses");
  for (const address of replyTo) if (!addressOf(address)) throw notVerified(address, region);

  const content = isObject(body.Content) ? body.Content : undefined;
  const simple = content && isObject(content.Simple) ? content.Simple : undefined;
  if (!simple) throw badRequest("This local SES sends Simple content only (no Raw or Template).");
  const subject = isObject(simple.Subject) ? simple.Subject.Data : undefined;
  if (typeof subject !== "string" || subject.length === 0)
    throw badRequest("Message.Subject.Data is required.");
  const parts = isObject(simple.Body) ? simple.Body : {};
  const html = isObject(parts.Html) && typeof parts.Html.Data === "string" ? parts.Html.Data : undefined;
  const text = isObject(parts.Text) && typeof parts.Text.Data === "string" ? parts.Text.Data : undefined;
  if (html === undefined && text === undefined) throw badRequest("Message.Body needs Html or Text.");

  const tags: Record<string, string> = {};
  if (body.EmailTags !== undefined) {
    if (!Array.isArray(body.EmailTags)) throw badRequest("EmailTags must be a list.");
    for (const tag of body.EmailTags as unknown[]) {
      const name = isObject(tag) ? tag.Name : undefined;
      const value = isObject(tag) ? tag.Value : undefined;
      if (
        typeof name !== "string" ||
        !tagPattern.test(name) ||
        typeof value !== "string" ||
        !tagPattern.test(value)
      )
        throw badRequest(
          "Tag names and values may only contain ASCII letters, digits, '_' and '-' (at most 256).",
        );
      tags[name] = value;
    }
  }
  const configurationSet =
    typeof body.ConfigurationSetName === "string" ? body.ConfigurationSetName : undefined;
  return {
    from,
    fromAddress,
    to,
    replyTo,
    subject,
    ...(html !== undefined ? { html } : {}),
    ...(text !== undefined ? { text } : {}),
    tags,
    ...(configurationSet ? { configurationSet } : {}),
  };
}

export interface StoredEmail extends SimpleEmail {
  messageId: string;
  timestamp: string;
}

/** The Send event an event destination receives (tags as lists, as SES publishes them). */
export function sendEvent(email: StoredEmail) {
  return {
    eventType: "Send",
    mail: {
      timestamp: email.timestamp,
      source: email.from,
      messageId: email.messageId,
      destination: email.to,
      tags: Object.fromEntries(Object.entries(email.tags).map(([name, value]) => [name, [value]])),
    },
    send: {},
  };
}

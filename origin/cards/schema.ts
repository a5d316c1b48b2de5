// The request bodies of the cards API as valibot schemas, in the API's words, with their limits
// (./field-limits.ts): one copy, used by the API to refuse bad input and by the pages' islands to explain it
// before sending.
// Browser-safe: valibot and Intl only, no Node imports.
import * as v from "valibot";
import { isTimeZone, limits } from "./field-limits.ts";

/** Signature colours and handwriting-style fonts a signer may pick; the pages map each to a style. */
export const signatureColours = ["ink", "berry", "ocean", "forest", "sunset", "plum"] as const;
export const signatureFonts = ["classic", "modern", "handwritten", "marker"] as const;
export type SignatureColour = (typeof signatureColours)[number];
export type SignatureFont = (typeof signatureFonts)[number];

// C0 and C1 control characters and DEL. A message may keep line breaks (\n; \r\n is normalised to \n).
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above, line feed allowed
const controlCharactersButLineFeed = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u;

/** Strings a database can store: no lone UTF-16 surrogates (PostgreSQL refuses them). */
const wellFormed = v.check<string, string>(
  (text) => text.isWellFormed(),
  "Contains an unpaired surrogate character.",
);

/** A one-line text field: trimmed, 1..max characters, no control characters. */
function line(label: string, max: number) {
  return v.pipe(
    v.string(`${label} must be a string.`),
    wellFormed,
    v.trim(),
    v.nonEmpty(`${label} is required.`),
    v.maxLength(max, `${label} must be at most ${max} characters.`),
    v.check((text) => !controlCharacters.test(text), `${label} must not contain control characters.`),
  );
}

const email = (label: string) =>
  v.pipe(
    v.string(`${label} must be a string.`),
    wellFormed,
    v.trim(),
    v.nonEmpty(`${label} is required.`),
    v.maxLength(limits.email, `${label} must be at most ${limits.email} characters.`),
    v.email(`${label} must be an email address like name@example.com.`),
  );

const message = v.pipe(
  v.string("The message must be a string."),
  wellFormed,
  v.transform((text) => text.replace(/\r\n?/g, "\n")),
  v.trim(),
  v.nonEmpty("The message is required."),
  v.maxLength(limits.message, `The message must be at most ${limits.message} characters.`),
  v.check(
    (text) => !controlCharactersButLineFeed.test(text),
    "The message must not contain control characters other than line breaks.",
  ),
);

/** The local wall time of delivery, "YYYY-MM-DDTHH:mm", read in `timeZone` (see delivery-time.ts). */
export const localDateTime = v.pipe(
  v.string("The delivery time must be a string."),
  v.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "The delivery time must look like 2027-04-01T09:00."),
);

export const timeZone = v.pipe(
  v.string("The time zone must be a string."),
  v.maxLength(limits.timeZone, `The time zone must be at most ${limits.timeZone} characters.`),
  v.check(isTimeZone, "The time zone must be an IANA time zone such as Europe/London."),
  // Stored as the runtime spells it ("europe/london" → "Europe/London").
  v.transform((name) => new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone),
);

const designSlug = v.pipe(
  v.string("The design must be a string."),
  v.maxLength(80, "The design must be at most 80 characters."),
  v.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "The design must be a design’s slug, such as balloon-bunch."),
);

/**
 * An accepted upload's site path, exactly as POST /api/uploads/<uploadId>/check answers it: only a
 * picture that passed the content check lives under /img/uploads/ (migration 0004 holds the same rule).
 */
export const uploadedPictureUrl = /^\/img\/uploads\/[A-Za-z0-9_-]{22}\.(?:jpg|png|webp|gif|avif)$/;

const pictureDescription = line("The description of your picture", limits.pictureDescription);

/** Words for the issues a body object can have: not an object, a required field missing, an unknown field. */
const objectMessage = (issue: v.StrictObjectIssue) => {
  if (issue.expected === "never") return `Unknown field ${String(issue.input)}.`;
  if (issue.path !== undefined) return `${issue.expected.replaceAll('"', "")} is required.`;
  return "The body must be a JSON object.";
};

/** A JSON object body with exactly these fields: an array or a scalar is refused as a whole. */
function body<const Entries extends v.ObjectEntries>(entries: Entries) {
  return v.pipe(
    v.unknown(),
    v.check((input) => !Array.isArray(input), "The body must be a JSON object."),
    v.strictObject(entries, objectMessage),
  );
}

/** The sender's own picture instead of a catalog design: where the check put it, and what it shows. */
const upload = v.strictObject(
  {
    url: v.pipe(
      v.string("The picture’s url must be a string."),
      v.regex(uploadedPictureUrl, "The picture’s url must be the one its upload check answered."),
    ),
    alt: pictureDescription,
  },
  objectMessage,
);

const cardFields = {
  design: designSlug,
  title: line("The title", limits.title),
  recipientName: line("The recipient’s name", limits.name),
  recipientEmail: email("The recipient’s email"),
  senderName: line("Your name", limits.name),
  senderEmail: email("Your email"),
  deliverAt: localDateTime,
  timeZone,
};

/**
 * POST /api/cards: a catalog design or the sender's own picture (exactly one). Unknown keys are refused,
 * so a misspelt field is named rather than ignored.
 */
export const createCardBody = v.pipe(
  body({ ...cardFields, design: v.optional(designSlug), upload: v.optional(upload) }),
  v.forward(
    v.check(
      (card) => (card.design === undefined) !== (card.upload === undefined),
      "Send a design or your own picture (upload): one of the two.",
    ),
    ["design"],
  ),
);
export type CreateCardBody = v.InferOutput<typeof createCardBody>;

/** PATCH /api/cards/<cardId>: any of the card's fields; a reschedule sends deliverAt and timeZone together. */
export const updateCardBody = v.pipe(
  body({
    design: v.optional(cardFields.design),
    title: v.optional(cardFields.title),
    recipientName: v.optional(cardFields.recipientName),
    recipientEmail: v.optional(cardFields.recipientEmail),
    senderName: v.optional(cardFields.senderName),
    senderEmail: v.optional(cardFields.senderEmail),
    deliverAt: v.optional(cardFields.deliverAt),
    timeZone: v.optional(cardFields.timeZone),
  }),
  v.check((body) => Object.keys(body).length > 0, "Send at least one field to change."),
  v.forward(
    v.check(
      (body) => (body.deliverAt === undefined) === (body.timeZone === undefined),
      "A new delivery time is sent with its time zone (deliverAt and timeZone together).",
    ),
    ["deliverAt"],
  ),
);
export type UpdateCardBody = v.InferOutput<typeof updateCardBody>;

const signatureFields = {
  name: line("Your name", limits.name),
  message,
  colour: v.optional(
    v.picklist(signatureColours, `The colour must be one of ${signatureColours.join(", ")}.`),
  ),
  font: v.optional(v.picklist(signatureFonts, `The font must be one of ${signatureFonts.join(", ")}.`)),
};

/** POST /api/sign/<signId>/signatures. */
export const signBody = body(signatureFields);
export type SignBody = v.InferOutput<typeof signBody>;

/** PUT /api/sign/<signId>/signatures/<signatureId>: the whole signature again (it replaces the old one). */
export const editSignatureBody = signBody;
export type EditSignatureBody = SignBody;

/** Words in a message, as the sign page counts them live: runs of non-space characters. */
export function countWords(text: string): number {
  return text.split(/\s+/u).filter((word) => word.length > 0).length;
}

// The emails a delivery sends, as HTML and plain text: the card to its recipient (design image, title,
// signers' names, the link) and the confirmation to its organiser. Every user text is escaped. The HTML is
// a single-column table layout with inline styles, the form Outlook, Gmail and Apple Mail all render.
// No template library: two short emails with no conditionals beyond a list do not pay for one (MJML alone
// brings a large dependency tree into the delivery Lambda's bundle), and escaping stays one visible function.
import { imageSrc } from "../../edge/image-variants.ts";
import type { CardRow } from "../cards/card-rows.ts";
import { designView, signaturesOf } from "../cards/card-rows.ts";

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const htmlEscapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => htmlEscapes[character] ?? character);
}

/** Subject lines are one line: line breaks and other controls in user text become spaces. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
}

/** "Ann", "Ann and Bo", "Ann, Bo and Cy". */
export function namesList(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

function layout(title: string, inner: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:0;background:#f6f3ee;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f6f3ee;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px;font-family:Georgia,'Times New Roman',serif;color:#2b2b2b;">
${inner}
</table>
</td></tr></table>
</body></html>`;
}

const button = (href: string, label: string) =>
  `<table role="presentation" cellpadding="0" cellspacing="0" border="0" align="center"><tr>
<td style="border-radius:6px;background:#b8325a;"><a href="${escapeHtml(href)}" style="display:inline-block;padding:14px 28px;font-family:Arial,sans-serif;font-size:16px;color:#ffffff;text-decoration:none;font-weight:bold;">${escapeHtml(label)}</a></td>
</tr></table>`;

/** The card's email to its recipient. `siteUrl` is the site's origin, e.g. https://goodgreets.example. */
export function cardEmail(card: CardRow, siteUrl: string): RenderedEmail {
  const design = designView(card);
  const signers = [...new Set(signaturesOf(card).map((signature) => signature.name))];
  const link = `${siteUrl}/c/${card.id}`;
  // A raster variant 2× the email's 600 px: mail clients show no SVG, and an upload's original is too heavy.
  const image = `${siteUrl}${imageSrc(design.imageUrl, 1280)}`;
  const from = signers.length > 0 ? namesList(signers) : card.sender_name;
  const subject = oneLine(`${card.title} — a card from ${card.sender_name}`);
  const html = layout(
    subject,
    `<tr><td style="padding:0;"><img src="${escapeHtml(image)}" width="600" alt="${escapeHtml(design.altText)}" style="display:block;width:100%;max-width:600px;height:auto;border:0;border-radius:8px 8px 0 0;"></td></tr>
<tr><td style="padding:28px 32px 8px;font-size:26px;line-height:1.3;text-align:center;">${escapeHtml(card.title)}</td></tr>
<tr><td style="padding:8px 32px;font-size:17px;line-height:1.5;text-align:center;">Dear ${escapeHtml(card.recipient_name)}, ${escapeHtml(from)} signed a card for you.</td></tr>
<tr><td style="padding:20px 32px 32px;">${button(link, "Open your card")}</td></tr>
<tr><td style="padding:0 32px 28px;font-family:Arial,sans-serif;font-size:13px;color:#6b6b6b;text-align:center;">Or paste this link into your browser: <a href="${escapeHtml(link)}" style="color:#b8325a;">${escapeHtml(link)}</a></td></tr>`,
  );
  const text = [
    card.title,
    "",
    `Dear ${card.recipient_name},`,
    `${from} signed a card for you.`,
    "",
    `Open your card: ${link}`,
    "",
    `Sent by ${card.sender_name} with GoodGreets.`,
    "",
  ].join("\n");
  return { subject, html, text };
}

/** The organiser's confirmation that the card went out. */
export function confirmationEmail(card: CardRow, siteUrl: string): RenderedEmail {
  const link = `${siteUrl}/o/${card.id}`;
  const subject = oneLine(`Delivered: ${card.title} to ${card.recipient_name}`);
  const firstOpened = `Your organiser page shows when ${card.recipient_name} first opens the card.`;
  // The organiser secret is only in the link the create page showed: no email carries it.
  const keepPrivate = "Keep that link to yourself: anyone who has it can manage the card.";
  const html = layout(
    subject,
    `<tr><td style="padding:28px 32px 8px;font-size:22px;line-height:1.3;">Your card is on its way</td></tr>
<tr><td style="padding:8px 32px;font-size:16px;line-height:1.5;">Hi ${escapeHtml(card.sender_name)}, we delivered “${escapeHtml(card.title)}” to ${escapeHtml(card.recipient_name)} (${escapeHtml(card.recipient_email)}).</td></tr>
<tr><td style="padding:8px 32px 28px;font-size:16px;line-height:1.5;">${escapeHtml(firstOpened)} Open it with the organiser link you got when you made the card (the one with a private part after the #). ${keepPrivate}</td></tr>`,
  );
  const text = [
    "Your card is on its way",
    "",
    `Hi ${card.sender_name}, we delivered "${card.title}" to ${card.recipient_name} (${card.recipient_email}).`,
    `${firstOpened} Open it with the organiser link you got when you made the card: ${link} followed by a private part after the #, which we never put in an email. ${keepPrivate}`,
    "",
  ].join("\n");
  return { subject, html, text };
}

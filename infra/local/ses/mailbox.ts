// The local SES's mailbox pages: every accepted email, newest first, and each one's HTML or text body. The
// HTML bodies are user-made, so they are served sandboxed (no scripts, no same origin).
import { escapeHtml } from "../../../origin/delivery/email.ts";
import type { StoredEmail } from "./ses-rules.ts";

export function mailboxPage(emails: readonly StoredEmail[]): string {
  const rows = emails
    .toReversed()
    .map(
      (email) =>
        `<tr><td>${escapeHtml(email.timestamp)}</td><td>${escapeHtml(email.to.join(", "))}</td><td>${escapeHtml(email.subject)}</td>` +
        `<td><a href="/emails/${email.messageId}.html">HTML</a> · <a href="/emails/${email.messageId}.txt">text</a></td>` +
        `<td>${escapeHtml(
          Object.entries(email.tags)
            .map(([name, value]) => `${name}=${value}`)
            .join(" "),
        )}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local mailbox (SES)</title>
<style>body{font:15px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}</style></head>
<body><h1>Local mailbox</h1><p>${emails.length} emails accepted by the local SES, newest first.</p>
<table><thead><tr><th>Sent</th><th>To</th><th>Subject</th><th>Body</th><th>Tags</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>`;
}

/** Content type, body and headers of one email's body. */
export function messagePage(
  email: StoredEmail,
  kind: "html" | "text",
): [string, string, Record<string, string>] {
  if (kind === "html" && email.html !== undefined)
    return [
      "text/html; charset=utf-8",
      email.html,
      {
        "content-security-policy": "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline'",
      },
    ];
  return ["text/plain; charset=utf-8", email.text ?? "(no text part)", {}];
}

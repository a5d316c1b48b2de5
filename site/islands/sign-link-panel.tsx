// The sign link to pass round: the link itself, a copy button, the Web Share sheet where the browser has
// one, and a QR code to scan from another phone.
import { CopyButton } from "./copy-button.tsx";
import { QrCode } from "./qr-code.tsx";

interface Props {
  /** The absolute sign link. */
  link: string;
  title: string;
  recipientName: string;
}

export function SignLinkPanel({ link, title, recipientName }: Props) {
  const share = async () => {
    try {
      await navigator.share({ title, text: `Sign ${recipientName}’s card`, url: link });
    } catch (error) {
      // Closing the share sheet is not a failure.
      if (!(error instanceof DOMException && error.name === "AbortError")) throw error;
    }
  };
  return (
    <div class="sign-link">
      <div class="sign-link__text share__field">
        <label for="sign-link">Sign link</label>
        <input id="sign-link" class="share__link" type="url" readOnly value={link} />
        <div class="share__actions">
          <CopyButton text={link} label="Copy sign link" />
          {typeof navigator.share === "function" ? (
            <button type="button" class="button button--secondary" onClick={share}>
              Share…
            </button>
          ) : null}
        </div>
      </div>
      <QrCode text={link} label="QR code of the sign link" />
    </div>
  );
}

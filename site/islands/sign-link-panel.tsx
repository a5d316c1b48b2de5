// The sign link to pass round: the link itself, a copy button, the Web Share sheet where the browser has
// one, and a QR code to scan from another phone.
import { useEffect, useState } from "preact/hooks";
import { CopyButton } from "./copy-button.tsx";

interface Props {
  /** The absolute sign link. */
  link: string;
  title: string;
  recipientName: string;
}

type QrModule = typeof import("./qr-code.tsx");
type QrLoad = { module: QrModule } | { failed: true };

// The QR encoder (lean-qr) is 2 KB of the organiser page’s 15 KB of gzipped JavaScript, and its code is a
// second way to pass on the link beside copy and share. So it is fetched apart, starting as soon as this
// module runs: beside the card's own API request, which the panel waits for anyway. The link, copy and
// share never wait on it; the code fills a box of its own size when it arrives.
const qrLoad: Promise<QrLoad> = import("./qr-code.tsx").then(
  (module) => ({ module }),
  () => ({ failed: true }),
);

export function SignLinkPanel({ link, title, recipientName }: Props) {
  const [qr, setQr] = useState<QrLoad | undefined>(undefined);
  useEffect(() => {
    void qrLoad.then(setQr);
  }, []);
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
      {qr === undefined ? (
        <div class="qr-code" aria-hidden="true" />
      ) : "module" in qr ? (
        <qr.module.QrCode text={link} label="QR code of the sign link" />
      ) : (
        <p class="qr-code">The QR code could not be loaded. Copy or share the link instead.</p>
      )}
    </div>
  );
}

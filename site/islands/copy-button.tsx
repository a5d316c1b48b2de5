// A button that copies a link and says so in a polite live region (the clipboard needs a secure context).
import { useState } from "preact/hooks";

interface Props {
  text: string;
  label: string;
}

export function CopyButton({ text, label }: Props) {
  const [status, setStatus] = useState("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setStatus("Copied.");
    } catch (error) {
      // Denied or unavailable (an http page other than localhost): the link stays selectable to copy by hand.
      setStatus(
        `Could not copy (${error instanceof Error ? error.name : "refused"}). Select the link and copy it.`,
      );
    }
  };
  return (
    <>
      <button type="button" class="button button--secondary" onClick={copy}>
        {label}
      </button>
      <span class="copy-status" role="status">
        {status}
      </span>
    </>
  );
}

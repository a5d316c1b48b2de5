// The signature form, for a new signature and for editing one: name, message with a live count, and an
// optional colour and handwriting-style font, checked by the API's own schema before sending.
import { useEffect, useRef, useState } from "preact/hooks";
import { limits } from "../../../origin/cards/field-limits.ts";
import {
  countWords,
  type SignatureColour,
  type SignatureFont,
  type SignBody,
  signatureColours,
  signatureFonts,
  signBody,
} from "../../../origin/cards/schema.ts";
import { ApiRequestError } from "../../lib/api-client.ts";
import { Field } from "../field.tsx";
import { type FieldErrors, fieldErrors, focusFirstError, withNativeErrors } from "../form-errors.ts";
import { colourLabels, fontLabels, noteClass } from "../signature-style.ts";

interface Props {
  initial?: SignBody;
  submitLabel: string;
  /** Sends the signature; an ApiRequestError naming a field is shown next to it. */
  send: (body: SignBody) => Promise<void>;
  onCancel?: () => void;
  /** Starts the fields' ids, so an edit form and the new-signature form below it keep their own labels. */
  idPrefix?: string;
}

export function SignatureForm({ initial, submitLabel, send, onCancel, idPrefix = "" }: Props) {
  const form = useRef<HTMLFormElement>(null);
  // An edit form opens in place of the Edit button that was pressed: the keyboard goes on into it.
  useEffect(() => {
    if (initial !== undefined) form.current?.querySelector<HTMLInputElement>("input")?.focus();
  }, []);
  const [name, setName] = useState(initial?.name ?? "");
  const [message, setMessage] = useState(initial?.message ?? "");
  const [colour, setColour] = useState<SignatureColour>(initial?.colour ?? "ink");
  const [font, setFont] = useState<SignatureFont>(initial?.font ?? "classic");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [sending, setSending] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const target = form.current;
    if (target === null || sending) return;
    const body: SignBody = { name, message, colour, font };
    const found = withNativeErrors(target, fieldErrors(signBody, body));
    setErrors(found);
    if (focusFirstError(target, found)) return;
    setSending(true);
    try {
      await send(body);
    } catch (error) {
      if (!(error instanceof ApiRequestError)) throw error;
      const field = error.field === "name" || error.field === "message" ? error.field : "form";
      setErrors({ [field]: error.message });
      if (!focusFirstError(target, { [field]: error.message }))
        target.querySelector<HTMLElement>("[data-form-error]")?.focus();
    } finally {
      setSending(false);
    }
  };

  const words = countWords(message);
  return (
    <form ref={form} class="card-form" noValidate onSubmit={submit}>
      {errors.form === undefined ? null : (
        <p class="form-error" role="alert" tabIndex={-1} data-form-error>
          {errors.form}
        </p>
      )}
      <Field name="name" id={`${idPrefix}name`} label="Your name" error={errors.name}>
        {(tie) => (
          <input
            {...tie}
            type="text"
            required
            maxLength={limits.name}
            autoComplete="name"
            value={name}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        )}
      </Field>
      <Field
        name="message"
        id={`${idPrefix}message`}
        label="Your message"
        hint={
          <span aria-live="polite">
            {words} {words === 1 ? "word" : "words"} · {message.length} of {limits.message} characters
          </span>
        }
        error={errors.message}
      >
        {(tie) => (
          <textarea
            {...tie}
            required
            rows={5}
            maxLength={limits.message}
            value={message}
            onInput={(event) => setMessage(event.currentTarget.value)}
          />
        )}
      </Field>
      <fieldset class="choice">
        <legend>Ink colour</legend>
        {signatureColours.map((choice) => (
          <label key={choice} class={`choice__option note--${choice}`}>
            <input
              type="radio"
              name="colour"
              value={choice}
              checked={colour === choice}
              onChange={() => setColour(choice)}
            />
            {colourLabels[choice]}
          </label>
        ))}
      </fieldset>
      <fieldset class="choice">
        <legend>Lettering</legend>
        {signatureFonts.map((choice) => (
          <label key={choice} class={`choice__option note-font--${choice}`}>
            <input
              type="radio"
              name="font"
              value={choice}
              checked={font === choice}
              onChange={() => setFont(choice)}
            />
            {fontLabels[choice]}
          </label>
        ))}
      </fieldset>
      <figure class="sign-preview">
        <figcaption>How your note will look</figcaption>
        <div class={noteClass({ colour, font })}>
          <p class="note__message">{message === "" ? "Your message…" : message}</p>
          <p class="note__name">— {name === "" ? "Your name" : name}</p>
        </div>
      </figure>
      <div class="form-actions">
        <button type="submit" class="button" disabled={sending}>
          {sending ? "Sending…" : submitLabel}
        </button>
        {onCancel === undefined ? null : (
          <button type="button" class="button button--secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

// The organiser's edit form: the card's details and its delivery time, prefilled, checked by the API's
// update schema; only the fields that changed are sent (a new time goes with its zone).
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { limits } from "../../../origin/cards/field-limits.ts";
import { type UpdateCardBody, updateCardBody } from "../../../origin/cards/schema.ts";
import type { OrganiserView } from "../../../origin/cards/views.ts";
import { ApiRequestError } from "../../lib/api-client.ts";
import { pageNow } from "../../lib/clock.ts";
import { previewDelivery, unlessSaid } from "../create/delivery-preview.ts";
import { Field } from "../field.tsx";
import { type FieldErrors, fieldErrors, focusFirstError, withNativeErrors } from "../form-errors.ts";

type Card = OrganiserView["card"];

interface Props {
  card: Card;
  save: (changes: UpdateCardBody) => Promise<void>;
  onCancel: () => void;
}

const textFields = [
  ["title", "Title line", "text", limits.title],
  ["recipientName", "Recipient’s name", "text", limits.name],
  ["recipientEmail", "Recipient’s email", "email", limits.email],
  ["senderName", "Your name", "text", limits.name],
  ["senderEmail", "Your email", "email", limits.email],
] as const;

type TextField = (typeof textFields)[number][0];

export function EditCard({ card, save, onCancel }: Props) {
  const form = useRef<HTMLFormElement>(null);
  const zones = useMemo(
    () =>
      typeof Intl.supportedValuesOf === "function"
        ? Intl.supportedValuesOf("timeZone")
        : [card.delivery.timeZone],
    [card.delivery.timeZone],
  );
  const [text, setText] = useState<Record<TextField, string>>({
    title: card.title,
    recipientName: card.recipientName,
    recipientEmail: card.recipientEmail,
    senderName: card.senderName,
    senderEmail: card.senderEmail,
  });
  const [deliverAt, setDeliverAt] = useState(card.delivery.deliverAt);
  const [timeZone, setTimeZone] = useState(card.delivery.timeZone);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [sending, setSending] = useState(false);
  // The form takes the place of the button that opened it: the keyboard goes on to its first field.
  useEffect(() => {
    form.current?.querySelector<HTMLInputElement>("input")?.focus();
  }, []);
  const rescheduled = deliverAt !== card.delivery.deliverAt || timeZone !== card.delivery.timeZone;
  const preview = rescheduled ? previewDelivery(deliverAt, timeZone, pageNow()) : undefined;

  const submit = async (event: Event) => {
    event.preventDefault();
    const target = form.current;
    if (target === null || sending) return;
    const changes: UpdateCardBody = {};
    for (const [name] of textFields) if (text[name] !== card[name]) changes[name] = text[name];
    if (rescheduled) Object.assign(changes, { deliverAt, timeZone });
    if (Object.keys(changes).length === 0) {
      onCancel();
      return;
    }
    let found = withNativeErrors(target, fieldErrors(updateCardBody, changes));
    if (found.deliverAt === undefined && preview !== undefined && !preview.result.ok)
      found = { ...found, [preview.result.field]: preview.result.message };
    setErrors(found);
    if (focusFirstError(target, found)) return;
    setSending(true);
    try {
      await save(changes);
    } catch (error) {
      if (!(error instanceof ApiRequestError)) throw error;
      const field = error.field ?? "form";
      setErrors({ [field]: error.message });
      if (!focusFirstError(target, { [field]: error.message }))
        target.querySelector<HTMLElement>("[data-form-error]")?.focus();
    } finally {
      setSending(false);
    }
  };

  return (
    <form ref={form} class="card-form" noValidate onSubmit={submit} aria-label="Edit the card">
      {errors.form === undefined ? null : (
        <p class="form-error" role="alert" tabIndex={-1} data-form-error>
          {errors.form}
        </p>
      )}
      {textFields.map(([name, label, type, max]) => (
        <Field key={name} name={name} label={label} error={errors[name]}>
          {(tie) => (
            <input
              {...tie}
              type={type}
              required
              maxLength={max}
              value={text[name]}
              onInput={(event) => {
                const value = event.currentTarget.value;
                setText((old) => ({ ...old, [name]: value }));
              }}
            />
          )}
        </Field>
      ))}
      <Field
        name="deliverAt"
        label="Delivery date and time"
        hint={preview === undefined ? "Unchanged." : unlessSaid(preview.explanation, errors.deliverAt)}
        error={errors.deliverAt}
      >
        {(tie) => (
          <input
            {...tie}
            type="datetime-local"
            required
            value={deliverAt}
            onInput={(event) => setDeliverAt(event.currentTarget.value.slice(0, 16))}
          />
        )}
      </Field>
      <Field name="timeZone" label="Time zone" error={errors.timeZone}>
        {(tie) => (
          <select
            {...tie}
            required
            value={timeZone}
            onChange={(event) => setTimeZone(event.currentTarget.value)}
          >
            {(zones.includes(timeZone) ? zones : [timeZone, ...zones]).map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll("_", " ")}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div class="form-actions">
        <button type="submit" class="button" disabled={sending}>
          {sending ? "Saving…" : "Save changes"}
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

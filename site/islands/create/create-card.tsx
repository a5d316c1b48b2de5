// The create form: who the card is for and from, its title and design, and when to deliver it, checked
// by the same schema as the API before it is sent; on success the organiser page takes over, opening
// with the share view (the sign link, its QR code, the organiser link to keep).
import type { ComponentType } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { latestDelivery, zonedDateTime } from "../../../origin/cards/delivery-time.ts";
import { isTimeZone, limits } from "../../../origin/cards/field-limits.ts";
import type { CreateCardBody } from "../../../origin/cards/schema.ts";
import { ApiRequestError } from "../../lib/api-client.ts";
import { pageNow } from "../../lib/clock.ts";
import { createApi } from "../../lib/create-api.ts";
import { Field } from "../field.tsx";
import type { FieldErrors } from "../form-errors.ts";
import { markJustCreated } from "../organiser/just-created.ts";
import { previewDelivery, unlessSaid } from "./delivery-preview.ts";
import { ownPicture, ownPictureLabel } from "./own-picture.ts";
import { loadUploadPicture, uploadUnavailable } from "./upload-loader.ts";
import type { UploadPictureProps } from "./upload-picture.ts";

export interface DesignChoice {
  slug: string;
  title: string;
}

interface Props {
  designs: DesignChoice[];
  /** The design chosen on the design page (?design=<slug>), when it names one of ours. */
  preselected: string | undefined;
}

type Values = Omit<CreateCardBody, "deliverAt" | "design" | "upload"> & {
  design: string;
  deliverDate: string;
  deliverTime: string;
};

const noPictureYet = "Choose the picture to upload.";
const checkUnavailable = "The form’s check could not be loaded. Try again.";

/** Every IANA zone the browser knows, with its own zone first among them. */
function timeZones(own: string): string[] {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return known.includes(own) ? known : [own, ...known];
}

/** The calendar date of an instant in the chosen zone: the date input's bounds are the zone's days. */
function dateIn(instant: Date, timeZone: string): string | undefined {
  return isTimeZone(timeZone) ? zonedDateTime(instant, timeZone).deliverAt.slice(0, 10) : undefined;
}

export function CreateCard({ designs, preselected }: Props) {
  const ownZone = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone, []);
  const zones = useMemo(() => timeZones(ownZone), [ownZone]);
  const form = useRef<HTMLFormElement>(null);
  const [values, setValues] = useState<Values>({
    recipientName: "",
    recipientEmail: "",
    senderName: "",
    senderEmail: "",
    title: "",
    design: preselected ?? designs[0]?.slug ?? "",
    deliverDate: "",
    deliverTime: "09:00",
    timeZone: ownZone,
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [sending, setSending] = useState(false);
  // True while the form's check is being fetched: a send meanwhile is ignored, as one while sending is.
  const checking = useRef(false);
  // The sender's own picture instead of a design: its code is fetched when they choose it.
  const own = values.design === ownPicture;
  const [Upload, setUpload] = useState<{ component: ComponentType<UploadPictureProps> }>();
  const [upload, setUploadValue] = useState<{ url: string; alt: string }>();
  useEffect(() => {
    if (own && !Upload)
      loadUploadPicture().then(
        (component) => setUpload({ component }),
        // Whatever failed (its cause is on the error), the sender can retry or pick a design.
        () => setErrors({ form: uploadUnavailable }),
      );
  }, [own, Upload]);

  const pictureChanged = (next: { url: string; alt: string } | undefined) => {
    setUploadValue(next);
    // An accepted picture answers the "choose the picture" error.
    if (next !== undefined) setErrors(({ "upload.url": _answered, ...others }) => others);
  };

  const deliverAt = `${values.deliverDate}T${values.deliverTime}`;
  const preview = previewDelivery(deliverAt, values.timeZone, pageNow());
  const now = pageNow();
  // Where the local time does not exist (the clocks go forward), the same moment after the change.
  const suggestion = preview?.result.ok === false ? preview.result.suggestion?.deliverAt : undefined;

  const set = (name: keyof Values) => (event: Event) => {
    const value = (event.currentTarget as HTMLInputElement | HTMLSelectElement).value;
    setValues((old) => ({ ...old, [name]: value }));
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const target = form.current;
    if (target === null || sending || checking.current) return;
    const { deliverDate: _date, deliverTime: _time, design, ...rest } = values;
    const body: CreateCardBody = own ? { ...rest, deliverAt, upload } : { ...rest, deliverAt, design };
    checking.current = true;
    let check: typeof import("./create-check.ts");
    try {
      check = await import("./create-check.ts");
    } catch {
      // The check's code did not arrive (offline, most likely): nothing was sent, so the sender can send again.
      setErrors({ form: checkUnavailable });
      return;
    } finally {
      checking.current = false;
    }
    const { checkCard, focusFirstError } = check;
    let found = checkCard(target, body);
    // An empty date or time is named as such, not as a malformed deliverAt.
    if (values.deliverDate === "" || values.deliverTime === "")
      found = {
        ...found,
        deliverAt: values.deliverDate === "" ? "Pick the delivery date." : "Pick the delivery time.",
      };
    // The product's words (the 3-month window, a time that has passed) rather than the browser's own
    // "Value must be … or earlier" for the date input's max.
    else if (preview !== undefined && !preview.result.ok)
      found = { ...found, [preview.result.field]: preview.result.message };
    // "Your own picture" with none accepted yet: said at the file input, not as the API's "a design or
    // your own picture: one of the two" on a design select that already says "Your own picture".
    if (own && upload === undefined) {
      const { design: _oneOfTwo, ...others } = found;
      found = { ...others, [Upload ? "upload.url" : "form"]: noPictureYet };
    }
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstError(target, found);
      return;
    }
    setSending(true);
    try {
      const created = await createApi.create(body);
      // The share view is the organiser page: the link with the secret in its fragment, which is
      // also the one link the organiser must keep.
      markJustCreated(sessionStorage, created.card.id);
      location.assign(created.links.organiser);
    } catch (error) {
      setSending(false);
      if (!(error instanceof ApiRequestError)) throw error;
      const field =
        error.field !== undefined &&
        (error.field in values || error.field === "deliverAt" || error.field.startsWith("upload"))
          ? error.field
          : "form";
      const next = { [field]: error.message };
      setErrors(next);
      if (!focusFirstError(target, next)) target.querySelector<HTMLElement>("[data-form-error]")?.focus();
    }
  };

  const text = (
    name: keyof Values,
    label: string,
    type: "text" | "email",
    max: number,
    autocomplete?: string,
  ) => (
    <Field name={name} label={label} error={errors[name]}>
      {(tie) => (
        <input
          {...tie}
          type={type}
          required
          maxLength={max}
          autoComplete={autocomplete ?? "off"}
          value={values[name]}
          onInput={set(name)}
        />
      )}
    </Field>
  );

  const deliveryError = errors.deliverAt;
  const describedBy = ["delivery-preview", deliveryError === undefined ? undefined : "deliverAt-error"]
    .filter(Boolean)
    .join(" ");
  // The date and the time are one field for errors: deliverAt.
  const deliveryTie = (name: "deliverDate" | "deliverTime") => ({
    id: name,
    name,
    "data-field": "deliverAt",
    required: true,
    value: values[name],
    onInput: set(name),
    "aria-describedby": describedBy,
    "aria-invalid": deliveryError === undefined ? undefined : ("true" as const),
  });

  return (
    <form ref={form} class="card-form" noValidate onSubmit={submit} aria-labelledby="create-heading">
      {errors.form === undefined ? null : (
        <p class="form-error" role="alert" tabIndex={-1} data-form-error>
          {errors.form}
        </p>
      )}
      <fieldset>
        <legend>Who is it for?</legend>
        {text("recipientName", "Recipient’s name", "text", limits.name)}
        {text("recipientEmail", "Recipient’s email", "email", limits.email)}
      </fieldset>
      <fieldset>
        <legend>Who is it from?</legend>
        {text("senderName", "Your name", "text", limits.name, "name")}
        {text("senderEmail", "Your email", "email", limits.email, "email")}
      </fieldset>
      <fieldset>
        <legend>The card</legend>
        <Field name="title" label="Title line" hint="For example: Happy birthday, Sam!" error={errors.title}>
          {(tie) => (
            <input
              {...tie}
              type="text"
              required
              maxLength={limits.title}
              value={values.title}
              onInput={set("title")}
            />
          )}
        </Field>
        <Field name="design" label="Design" error={errors.design}>
          {(tie) => (
            <select {...tie} required value={values.design} onChange={set("design")}>
              {designs.map((design) => (
                <option key={design.slug} value={design.slug}>
                  {design.title}
                </option>
              ))}
              <option value={ownPicture}>{ownPictureLabel}</option>
            </select>
          )}
        </Field>
        {!own ? (
          <img
            class="card-form__design"
            src={`/img/catalog/${values.design}.svg`}
            alt=""
            width="500"
            height="700"
          />
        ) : Upload ? (
          <Upload.component altMax={limits.pictureDescription} errors={errors} onChange={pictureChanged} />
        ) : null}
      </fieldset>
      <fieldset aria-describedby={describedBy}>
        <legend>When should we deliver it?</legend>
        <p class="field__hint">Any time from now up to 3 months ahead, in the time zone you choose.</p>
        <div class="field-row">
          <div class="field">
            <label for="deliverDate">Date</label>
            <input
              {...deliveryTie("deliverDate")}
              type="date"
              min={dateIn(now, values.timeZone)}
              max={dateIn(latestDelivery(now), values.timeZone)}
            />
          </div>
          <div class="field">
            <label for="deliverTime">Time</label>
            <input {...deliveryTie("deliverTime")} type="time" />
          </div>
        </div>
        <Field name="timeZone" label="Time zone" error={errors.timeZone}>
          {(tie) => (
            <select {...tie} required value={values.timeZone} onChange={set("timeZone")}>
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone.replaceAll("_", " ")}
                </option>
              ))}
            </select>
          )}
        </Field>
        <p id="delivery-preview" class="delivery-preview" aria-live="polite">
          {preview === undefined
            ? "Pick a date to see exactly when the card goes out."
            : unlessSaid(preview.explanation, deliveryError)}
        </p>
        {suggestion !== undefined ? (
          <button
            type="button"
            class="button button--secondary"
            onClick={() => {
              const [date = "", time = ""] = suggestion.split("T");
              setValues((old) => ({ ...old, deliverDate: date, deliverTime: time }));
            }}
          >
            Use {suggestion.replace("T", " ")} instead
          </button>
        ) : null}
        {deliveryError === undefined ? null : (
          <p class="field__error" id="deliverAt-error">
            {deliveryError}
          </p>
        )}
      </fieldset>
      <button type="submit" class="button" disabled={sending}>
        {sending ? "Creating…" : "Create the card"}
      </button>
    </form>
  );
}

// Turns a schema's issues (and the API's field errors) into one message per field, and finds the first
// field in the form's own order that has one, so the form can focus it.
import * as v from "valibot";

/** Field name → the message shown under it. */
export type FieldErrors = Partial<Record<string, string>>;

/** The first message of each field the schema refused; issues about the whole body go under "form". */
export function fieldErrors<Schema extends v.GenericSchema>(schema: Schema, input: unknown): FieldErrors {
  const result = v.safeParse(schema, input);
  if (result.success) return {};
  const flat = v.flatten(result.issues);
  const errors: FieldErrors = {};
  const nested: Partial<Record<string, readonly string[]>> = flat.nested ?? {};
  for (const [field, messages] of Object.entries(nested))
    if (messages?.[0] !== undefined) errors[field] = messages[0];
  if (flat.root?.[0] !== undefined) errors.form = flat.root[0];
  return errors;
}

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** The schema field a control answers for: its data-field (date and time make one deliverAt) or its name. */
function fieldOf(control: Control): string {
  return control.dataset.field ?? control.name;
}

const isControl = (element: Element): element is Control =>
  element instanceof HTMLInputElement ||
  element instanceof HTMLTextAreaElement ||
  element instanceof HTMLSelectElement;

/** Adds what the browser's own constraint checks found, for fields the schema had nothing to say about. */
export function withNativeErrors(form: HTMLFormElement, errors: FieldErrors): FieldErrors {
  const merged = { ...errors };
  for (const element of Array.from(form.elements)) {
    if (!isControl(element)) continue;
    const field = fieldOf(element);
    if (field === "" || merged[field] !== undefined || element.validity.valid) continue;
    merged[field] = element.validationMessage;
  }
  return merged;
}

/** Focuses the first control, in document order, whose field has an error; true when one was found. */
export function focusFirstError(form: HTMLFormElement, errors: FieldErrors): boolean {
  for (const element of Array.from(form.elements)) {
    if (isControl(element) && errors[fieldOf(element)] !== undefined) {
      element.focus();
      return true;
    }
  }
  return false;
}

// The create form's check before sending, fetched when the form is sent, not with the page: the API's own
// schema (with valibot, about 3.5 KB gzipped) and the browser's constraint checks.
import { type CreateCardBody, createCardBody } from "../../../origin/cards/schema.ts";
import { type FieldErrors, fieldErrors, withNativeErrors } from "../form-errors.ts";

export { focusFirstError } from "../form-errors.ts";

/** What the schema and the browser find wrong with the card about to be sent, one message per field. */
export function checkCard(form: HTMLFormElement, body: CreateCardBody): FieldErrors {
  return withNativeErrors(form, fieldErrors(createCardBody, body));
}

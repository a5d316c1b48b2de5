// A labelled form control with its hint and its error tied to it (aria-describedby, aria-invalid).
import type { ComponentChildren } from "preact";

interface Props {
  /** The control's name, and its id unless `id` is given; the error and hint ids derive from the id. */
  name: string;
  /** The control's id where two forms on one page have the same field (the sign page while editing). */
  id?: string;
  label: string;
  hint?: ComponentChildren;
  error?: string | undefined;
  /** Renders the control, given the attributes that tie it to its label, hint and error. */
  children: (described: {
    id: string;
    name: string;
    "aria-describedby"?: string;
    "aria-invalid"?: "true";
  }) => ComponentChildren;
}

export function Field({ name, id = name, label, hint, error, children }: Props) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint === undefined ? undefined : hintId, error === undefined ? undefined : errorId]
    .filter((id) => id !== undefined)
    .join(" ");
  return (
    <div class={error === undefined ? "field" : "field field--invalid"}>
      <label for={id}>{label}</label>
      {hint === undefined ? null : (
        <p class="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {children({
        id,
        name,
        ...(describedBy === "" ? {} : { "aria-describedby": describedBy }),
        ...(error === undefined ? {} : { "aria-invalid": "true" as const }),
      })}
      {error === undefined ? null : (
        <p class="field__error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

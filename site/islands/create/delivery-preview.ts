// What the create form says about the delivery time before saving: the resolved instant with its offset,
// or, in plain words, why that local time cannot be used (the rules live in origin/cards/delivery-time.ts).
import {
  type DeliveryTimeResult,
  describeInstant,
  resolveDeliveryTime,
} from "../../../origin/cards/delivery-time.ts";

export interface DeliveryPreview {
  result: DeliveryTimeResult;
  /** One or two sentences for the page. */
  explanation: string;
}

export function previewDelivery(
  deliverAt: string,
  timeZone: string,
  now: Date,
  locale?: string,
): DeliveryPreview | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(deliverAt)) return undefined;
  const result = resolveDeliveryTime({ deliverAt, timeZone }, now);
  if (!result.ok) return { result, explanation: result.message };
  const when = `${describeInstant(result.instant, timeZone, locale)} ${timeZone} (UTC${result.offset})`;
  const explanation = result.ambiguous
    ? `Delivered ${when}. The clocks go back that night, so this time happens twice; we use the first one.`
    : `Delivered ${when}.`;
  return { result, explanation };
}

/** The preview's words, unless the delivery error under the field says the same: each thing is said once. */
export function unlessSaid(explanation: string, error: string | undefined): string | undefined {
  return explanation === error ? undefined : explanation;
}

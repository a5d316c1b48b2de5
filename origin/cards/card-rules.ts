// The card's state machine and what each state allows: pure rules the routes and the SQL guards share.
// created → scheduled → sending → sent (or failed); scheduled → cancelled by the organiser.
import type { CardStatus } from "./views.ts";

/** States in which the organiser may still change the card: details, schedule, lock, cancel. */
export const editableStatuses: readonly CardStatus[] = ["draft", "scheduled"];
/** States in which the organiser may remove a signature: anything not yet on its way. */
export const moderatableStatuses: readonly CardStatus[] = ["draft", "scheduled", "failed", "cancelled"];

export function isEditable(status: CardStatus): boolean {
  return editableStatuses.includes(status);
}

/** Signing is open while the card can still change and the organiser has not locked it. */
export function isSigningOpen(status: CardStatus, lockedAt: string | null): boolean {
  return isEditable(status) && lockedAt === null;
}

export function isDelivered(status: CardStatus): boolean {
  return status === "sent";
}

/** The SQL list literal of a set of states, for guards in statements (values are ours, not input). */
export function sqlStatusList(statuses: readonly CardStatus[]): string {
  return statuses.map((status) => `'${status}'`).join(", ");
}

// Tells the organiser page it was opened straight after creating the card, so it opens with the share
// view: a flag for one card in this tab's sessionStorage (nothing secret in it), read once.

const key = "goodgreets:just-created";

export function markJustCreated(storage: Storage, cardId: string): void {
  storage.setItem(key, cardId);
}

/** True, once, when `cardId` was just created in this tab. */
export function takeJustCreated(storage: Storage, cardId: string): boolean {
  const created = storage.getItem(key) === cardId;
  if (created) storage.removeItem(key);
  return created;
}

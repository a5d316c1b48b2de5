// The cards API as the pages call it: one function per route (docs/api.md), answers typed by
// origin/cards/views.ts, and the organiser and signature secrets sent in headers, never in a URL, so they
// reach no request line, access log or Referer.
import type { SignBody, UpdateCardBody } from "../../origin/cards/schema.ts";
import type {
  CardDeletedPending,
  CardView,
  CreatedSignature,
  OrganiserView,
  SignatureView,
  SignPageView,
} from "../../origin/cards/views.ts";
import { callApi } from "./api-client.ts";
import { createApi } from "./create-api.ts";

/** What the organiser's changes answer with: the organiser's view of the card alone. */
export type OrganiserCard = { card: OrganiserView["card"] };

const asOrganiser = (secret: string) => ({ "x-organiser-secret": secret });
const asSigner = (secret: string) => ({ "x-signature-secret": secret });
const id = (value: string) => encodeURIComponent(value);

export const cardsApi = {
  ...createApi,

  signPage: (signId: string) => callApi<SignPageView>(`/api/sign/${id(signId)}`),
  sign: (signId: string, body: SignBody) =>
    callApi<CreatedSignature>(`/api/sign/${id(signId)}/signatures`, { body }),
  /** Resolves when the signature is still on the card and the secret is its own; 404 once removed. */
  checkSignature: (signId: string, signatureId: string, secret: string) =>
    callApi<void>(`/api/sign/${id(signId)}/signatures/${id(signatureId)}`, { headers: asSigner(secret) }),
  editSignature: (signId: string, signatureId: string, secret: string, body: SignBody) =>
    callApi<{ signature: SignatureView }>(`/api/sign/${id(signId)}/signatures/${id(signatureId)}`, {
      method: "PUT",
      body,
      headers: asSigner(secret),
    }),
  deleteSignature: (signId: string, signatureId: string, secret: string) =>
    callApi<void>(`/api/sign/${id(signId)}/signatures/${id(signatureId)}`, {
      method: "DELETE",
      headers: asSigner(secret),
    }),

  organiser: (cardId: string, secret: string) =>
    callApi<OrganiserView>(`/api/cards/${id(cardId)}/organiser`, { headers: asOrganiser(secret) }),
  update: (cardId: string, secret: string, body: UpdateCardBody) =>
    callApi<OrganiserCard>(`/api/cards/${id(cardId)}`, {
      method: "PATCH",
      body,
      headers: asOrganiser(secret),
    }),
  lock: (cardId: string, secret: string) =>
    callApi<OrganiserCard>(`/api/cards/${id(cardId)}/lock`, { method: "POST", headers: asOrganiser(secret) }),
  cancel: (cardId: string, secret: string) =>
    callApi<OrganiserCard>(`/api/cards/${id(cardId)}/cancel`, {
      method: "POST",
      headers: asOrganiser(secret),
    }),
  /** Nothing (204) when every copy is gone; CardDeletedPending (202) when some are still being removed. */
  remove: (cardId: string, secret: string) =>
    callApi<CardDeletedPending | undefined>(`/api/cards/${id(cardId)}`, {
      method: "DELETE",
      headers: asOrganiser(secret),
    }),
  removeSignature: (cardId: string, secret: string, signatureId: string) =>
    callApi<void>(`/api/cards/${id(cardId)}/signatures/${id(signatureId)}`, {
      method: "DELETE",
      headers: asOrganiser(secret),
    }),

  /** The card: anyone's once delivered; before that only the organiser's, with the secret. */
  card: (cardId: string, organiserSecret?: string) =>
    callApi<CardView>(
      `/api/cards/${id(cardId)}`,
      organiserSecret === undefined ? {} : { headers: asOrganiser(organiserSecret) },
    ),
  /** The recipient's open beacon: never cached, so the organiser learns of the first open. */
  opened: (cardId: string) => callApi<void>(`/api/cards/${id(cardId)}/opened`, { method: "POST" }),
};

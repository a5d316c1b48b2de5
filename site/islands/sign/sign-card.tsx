// The sign page: which card this is, the signatures this browser made (to edit or delete), and the form to
// add one; when the card is locked, sent or cancelled, a plain message that signing has closed.
import { useEffect, useRef, useState } from "preact/hooks";
import type { SignBody } from "../../../origin/cards/schema.ts";
import type { SignPageView } from "../../../origin/cards/views.ts";
import { ApiRequestError } from "../../lib/api-client.ts";
import { cardsApi } from "../../lib/cards-api.ts";
import { noteClass } from "../signature-style.ts";
import {
  type OwnSignature,
  readOwnSignatures,
  reconciled,
  removedFromCard,
  writeOwnSignatures,
} from "./own-signatures.ts";
import { SignatureForm } from "./signature-form.tsx";

interface Props {
  signId: string;
}

/** Why signing is closed, in the signer's words. */
export function closedReason(card: SignPageView["card"]): string {
  if (card.status === "cancelled")
    return "This card was cancelled by its organiser, so it can no longer be signed.";
  if (card.status === "sent" || card.status === "sending")
    return `This card has already been delivered to ${card.recipientName}, so signing has closed.`;
  return "The organiser has closed this card for signing. Thank you for thinking of it!";
}

export function SignCard({ signId }: Props) {
  const [view, setView] = useState<SignPageView | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [own, setOwn] = useState<OwnSignature[]>(() => readOwnSignatures(localStorage, signId));
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const [formKey, setFormKey] = useState(0);
  const [notice, setNotice] = useState("");
  const noticeRef = useRef<HTMLParagraphElement>(null);

  /** Shows the card; true when there is none (404), so the opening forgets what was kept for it. */
  const load = async (): Promise<boolean> => {
    try {
      setView(await cardsApi.signPage(signId));
      return false;
    } catch (error) {
      if (!(error instanceof ApiRequestError)) throw error;
      setFailure(
        error.status === 404
          ? "There is no card to sign at this link. Check that you copied all of it."
          : error.message,
      );
      return error.status === 404;
    }
  };
  useEffect(() => {
    // On opening: forget the kept signatures the card no longer has (all of them when the card is gone),
    // and say so once the card is on screen, where the notice is.
    const checked = removedFromCard(readOwnSignatures(localStorage, signId), (entry) =>
      cardsApi.checkSignature(signId, entry.signature.id, entry.secret),
    );
    void Promise.all([load(), checked]).then(([cardGone, removed]) => {
      const own = readOwnSignatures(localStorage, signId);
      const { kept, notice } = reconciled(own, removed, cardGone);
      if (kept.length !== own.length) keep(kept);
      if (notice !== undefined) announce(notice);
    });
  }, [signId]);

  const keep = (next: OwnSignature[]) => {
    writeOwnSignatures(localStorage, signId, next);
    setOwn(next);
  };
  const announce = (text: string) => {
    setNotice(text);
    requestAnimationFrame(() => noticeRef.current?.focus());
  };

  if (failure !== undefined)
    return (
      <section class="flow-intro">
        <h1>This sign link doesn’t work</h1>
        <p>{failure}</p>
      </section>
    );
  if (view === undefined) return <p class="island__loading">Loading the card…</p>;
  const { card } = view;

  const add = async (body: SignBody) => {
    const created = await cardsApi.sign(signId, body);
    keep([...own, created]);
    setFormKey((key) => key + 1);
    announce("Thank you! Your signature is on the card.");
    void load();
  };
  const edit = (entry: OwnSignature) => async (body: SignBody) => {
    let signature: OwnSignature["signature"];
    try {
      ({ signature } = await cardsApi.editSignature(signId, entry.signature.id, entry.secret, body));
    } catch (error) {
      // The organiser removed it meanwhile: this browser forgets it too, and says so.
      if (!(error instanceof ApiRequestError && error.status === 404)) throw error;
      keep(own.filter((mine) => mine.signature.id !== entry.signature.id));
      setEditing(undefined);
      announce("That signature is no longer on the card: the organiser removed it.");
      return;
    }
    keep(own.map((mine) => (mine.signature.id === signature.id ? { ...mine, signature } : mine)));
    setEditing(undefined);
    announce("Your signature is updated.");
  };
  const remove = async (entry: OwnSignature) => {
    try {
      await cardsApi.deleteSignature(signId, entry.signature.id, entry.secret);
    } catch (error) {
      if (!(error instanceof ApiRequestError)) throw error;
      // Already gone (the organiser removed it): forget it here too.
      if (error.status !== 404) {
        announce(error.message);
        return;
      }
    }
    keep(own.filter((mine) => mine.signature.id !== entry.signature.id));
    announce("Your signature is deleted.");
    void load();
  };

  return (
    <>
      <section class="sign-intro">
        <img
          class="sign-intro__design"
          src={card.design.imageUrl}
          srcset={card.design.srcset}
          sizes="(min-width: 40rem) 9rem, 6rem"
          alt={card.design.altText}
          width="500"
          height="700"
          fetchpriority="high"
        />
        <div>
          <h1>Sign {card.recipientName}’s card</h1>
          <p class="sign-intro__title">“{card.title}”</p>
          <p>
            Organised by {card.senderName}.{" "}
            {card.signatureCount === 0
              ? "Nobody has signed yet: be the first!"
              : `${card.signatureCount} ${card.signatureCount === 1 ? "person has" : "people have"} signed.`}
          </p>
        </div>
      </section>
      <p class="notice" role="status" tabIndex={-1} ref={noticeRef}>
        {notice}
      </p>
      {card.signingOpen ? null : (
        <section class="closed" aria-labelledby="closed-heading">
          <h2 id="closed-heading">Signing has closed</h2>
          <p>{closedReason(card)}</p>
        </section>
      )}
      {own.length === 0 ? null : (
        <section aria-labelledby="own-heading">
          <h2 id="own-heading">Your signature</h2>
          {own.map((entry) =>
            editing === entry.signature.id && card.signingOpen ? (
              <SignatureForm
                key={entry.signature.id}
                initial={{
                  name: entry.signature.name,
                  message: entry.signature.message,
                  ...(entry.signature.colour === null ? {} : { colour: entry.signature.colour }),
                  ...(entry.signature.font === null ? {} : { font: entry.signature.font }),
                }}
                submitLabel="Save changes"
                send={edit(entry)}
                idPrefix="edit-"
                onCancel={() => {
                  setEditing(undefined);
                  // Back to the Edit button the form replaced.
                  const id = `edit-${entry.signature.id}`;
                  requestAnimationFrame(() => document.getElementById(id)?.focus());
                }}
              />
            ) : (
              <div key={entry.signature.id} class="own-signature">
                <div class={noteClass(entry.signature)}>
                  <p class="note__message">{entry.signature.message}</p>
                  <p class="note__name">— {entry.signature.name}</p>
                </div>
                {card.signingOpen ? (
                  <div class="form-actions">
                    <button
                      type="button"
                      id={`edit-${entry.signature.id}`}
                      class="button button--secondary"
                      onClick={() => setEditing(entry.signature.id)}
                    >
                      Edit my signature
                    </button>
                    <button type="button" class="button button--danger" onClick={() => void remove(entry)}>
                      Delete my signature
                    </button>
                  </div>
                ) : null}
              </div>
            ),
          )}
        </section>
      )}
      {card.signingOpen ? (
        <section aria-labelledby="sign-heading">
          <h2 id="sign-heading">
            {own.length === 0 ? "Add your name and a message" : "Sign again for someone else"}
          </h2>
          <SignatureForm key={formKey} submitLabel="Sign the card" send={add} />
        </section>
      ) : null}
    </>
  );
}

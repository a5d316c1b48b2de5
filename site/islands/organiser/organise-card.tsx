// The organiser page: where the card stands, the sign link to share, the signatures as they arrive, and
// every change the organiser may make (edit, reschedule, lock, remove a signature, cancel, delete).
import { useEffect, useRef, useState } from "preact/hooks";
import { describeInstant } from "../../../origin/cards/delivery-time.ts";
import type { UpdateCardBody } from "../../../origin/cards/schema.ts";
import type { OrganiserView } from "../../../origin/cards/views.ts";
import { ApiRequestError } from "../../lib/api-client.ts";
import { cardsApi } from "../../lib/cards-api.ts";
import { learnServerNow, pageNow } from "../../lib/clock.ts";
import { describeCountdown } from "../../lib/countdown.ts";
import { CopyButton } from "../copy-button.tsx";
import { SignLinkPanel } from "../sign-link-panel.tsx";
import { noteClass } from "../signature-style.ts";
import { copiesLinger, deletedWords } from "./card-deleted.ts";
import { takeJustCreated } from "./just-created.ts";
import { refusal } from "./refusals.ts";

interface Props {
  cardId: string;
  secret: string;
}

const pollMs = 10_000;
type EditModule = typeof import("./edit-card.tsx");

/** Where the card stands, in one sentence. */
function standing(card: OrganiserView["card"], now: Date): string {
  const when = (iso: string) => describeInstant(new Date(iso), card.delivery.timeZone);
  if (card.status === "cancelled") return "This card is cancelled: nothing will be sent.";
  if (card.status === "sent" && card.deliveredAt !== null) {
    const opened =
      card.openedAt === null
        ? "It has not been opened yet."
        : `${card.recipientName} first opened it ${when(card.openedAt)}.`;
    return `Delivered ${when(card.deliveredAt)}. ${opened}`;
  }
  if (card.status === "sending") return "The card is being delivered now.";
  if (card.status === "failed")
    return `Delivery failed${card.failureReason ? ` (${card.failureReason})` : ""}. Edit the recipient’s email and reschedule to try again.`;
  const instant = new Date(card.delivery.deliverAtInstant);
  const countdown = instant > now ? ` — in ${describeCountdown(instant, now)}` : "";
  return `Delivery ${when(card.delivery.deliverAtInstant)} (${card.delivery.timeZone}, UTC${card.delivery.offset})${countdown}.${card.locked ? " Signing is locked." : ""}`;
}

export function OrganiseCard({ cardId, secret }: Props) {
  const [view, setView] = useState<OrganiserView | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const [editor, setEditor] = useState<EditModule | undefined>(undefined);
  const [notice, setNotice] = useState("");
  const [deleted, setDeleted] = useState<{ lingering: boolean } | undefined>(undefined);
  const noticeRef = useRef<HTMLParagraphElement>(null);
  const [justCreated] = useState(() => takeJustCreated(sessionStorage, cardId));
  const readyHeading = useRef<HTMLHeadingElement>(null);
  const loaded = view !== undefined;
  useEffect(() => {
    if (loaded && justCreated) readyHeading.current?.focus();
  }, [loaded, justCreated]);
  // Where the keyboard goes when the control it was on goes away: the edit button it came from, or the
  // heading that says the card is deleted.
  const editButton = useRef<HTMLButtonElement>(null);
  const deletedHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (deleted) deletedHeading.current?.focus();
  }, [deleted]);

  const load = async () => {
    try {
      const next = await cardsApi.organiser(cardId, secret);
      learnServerNow(next.now);
      setView(next);
    } catch (error) {
      refused(error, "page");
    }
  };
  useEffect(() => {
    void load();
    // New signatures appear as they arrive, while the page is in view.
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void load();
    }, pollMs);
    return () => clearInterval(timer);
  }, [cardId, secret]);

  const announce = (text: string) => {
    setNotice(text);
    requestAnimationFrame(() => noticeRef.current?.focus());
  };
  /** The one way a refusal is shown: in place of the page (`page`, or when the link is dead), else the notice. */
  const refused = (error: unknown, where: "page" | "notice") => {
    if (!(error instanceof ApiRequestError)) throw error;
    const answer = refusal(error);
    if (answer.kind === "link" || where === "page") setFailure(answer.message);
    else announce(answer.message);
  };
  /** Runs a change; its refusal is announced, a success reloads the view. */
  const change = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action();
      announce(done);
      await load();
    } catch (error) {
      refused(error, "notice");
    }
  };

  if (deleted)
    return (
      <section class="flow-intro">
        <h1 tabIndex={-1} ref={deletedHeading}>
          The card is deleted
        </h1>
        {deletedWords(deleted.lingering).map((words) => (
          <p key={words}>{words}</p>
        ))}
        <p>
          <a class="button" href="/">
            Start another card
          </a>
        </p>
      </section>
    );
  if (failure !== undefined)
    return (
      <section class="flow-intro">
        <h1>This organiser link doesn’t work</h1>
        <p>{failure}</p>
      </section>
    );
  if (view === undefined) return <p class="island__loading">Loading your card…</p>;
  const { card, signatures, links } = view;
  const now = pageNow();
  const scheduled = card.status === "scheduled" || card.status === "draft";

  const save = async (changes: UpdateCardBody) => {
    await cardsApi.update(cardId, secret, changes);
    setEditor(undefined);
    announce("Your changes are saved.");
    await load();
  };
  const openEditor = () => {
    import("./edit-card.tsx").then(setEditor, () =>
      announce("The edit form could not be loaded. Try again."),
    );
  };
  const confirmThen = (question: string, action: () => Promise<unknown>, done: string) => () => {
    if (window.confirm(question)) void change(action, done);
  };

  return (
    <>
      <section class="flow-intro">
        <p class="flow-intro__kicker">Organiser page · keep this link private</p>
        <h1>“{card.title}”</h1>
        <p>
          For {card.recipientName} ({card.recipientEmail}), from {card.senderName}.
        </p>
        <p class="status-line">{standing(card, now)}</p>
        <p>
          {signatures.length === 0
            ? "Nobody has signed yet."
            : `${signatures.length} ${signatures.length === 1 ? "person has" : "people have"} signed so far.`}
        </p>
      </section>
      {justCreated ? (
        <section class="ready" aria-labelledby="ready-heading">
          <h2 id="ready-heading" tabIndex={-1} ref={readyHeading}>
            Your card is ready to sign
          </h2>
          <p>
            Share the sign link below with everyone who should sign, and keep this page’s link: it is yours
            alone.
          </p>
        </section>
      ) : null}
      <p class="notice" role="status" tabIndex={-1} ref={noticeRef}>
        {notice}
      </p>

      {card.signingOpen ? (
        <section aria-labelledby="share-heading">
          <h2 id="share-heading">Share the sign link</h2>
          <SignLinkPanel
            link={new URL(links.sign, location.origin).href}
            title={card.title}
            recipientName={card.recipientName}
          />
        </section>
      ) : null}

      <section aria-labelledby="signatures-heading">
        <h2 id="signatures-heading">
          Signatures <span class="count">({signatures.length})</span>
        </h2>
        {signatures.length === 0 ? (
          // The summary at the top already says nobody has signed.
          <p>New signatures appear here as they arrive.</p>
        ) : (
          <ul class="note-board note-board--compact">
            {signatures.map((signature) => (
              <li key={signature.id} class={noteClass(signature)}>
                <p class="note__message">{signature.message}</p>
                <p class="note__name">— {signature.name}</p>
                {card.status !== "sent" ? (
                  <button
                    type="button"
                    class="button button--small button--danger"
                    onClick={confirmThen(
                      `Remove ${signature.name}’s signature? This cannot be undone.`,
                      () => cardsApi.removeSignature(cardId, secret, signature.id),
                      `${signature.name}’s signature is removed.`,
                    )}
                  >
                    Remove <span class="visually-hidden">{signature.name}’s signature</span>
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        <p>
          <a href={`${links.card}#${secret}`}>
            {card.status === "sent" ? "Open the card" : "Preview the card"}
          </a>
        </p>
      </section>

      <section aria-labelledby="keep-heading">
        <h2 id="keep-heading">Keep your organiser link</h2>
        <p>
          This page’s link is the only key to the card: we keep no copy of it. Save it somewhere safe and
          don’t share it; anyone who has it can change or delete the card.
        </p>
        <div class="share__field">
          <label for="organiser-link">Organiser link</label>
          <input id="organiser-link" class="share__link" type="url" readOnly value={location.href} />
          <div class="share__actions">
            <CopyButton text={location.href} label="Copy organiser link" />
          </div>
        </div>
      </section>

      <section aria-labelledby="manage-heading">
        <h2 id="manage-heading">Manage the card</h2>
        {editor !== undefined ? (
          <editor.EditCard
            card={card}
            save={save}
            onCancel={() => {
              setEditor(undefined);
              requestAnimationFrame(() => editButton.current?.focus());
            }}
          />
        ) : (
          <div class="form-actions">
            {scheduled ? (
              <button type="button" class="button button--secondary" ref={editButton} onClick={openEditor}>
                Edit details or reschedule
              </button>
            ) : null}
            {scheduled && !card.locked ? (
              <button
                type="button"
                class="button button--secondary"
                onClick={() => void change(() => cardsApi.lock(cardId, secret), "Signing is locked.")}
              >
                Lock signing
              </button>
            ) : null}
            {scheduled ? (
              <button
                type="button"
                class="button button--danger"
                onClick={confirmThen(
                  "Cancel the card? Nothing will be sent and signing closes.",
                  () => cardsApi.cancel(cardId, secret),
                  "The card is cancelled.",
                )}
              >
                Cancel the card
              </button>
            ) : null}
            <button
              type="button"
              class="button button--danger"
              onClick={() => {
                if (!window.confirm("Delete the card and every signature on it? This cannot be undone."))
                  return;
                cardsApi.remove(cardId, secret).then(
                  (answer) => setDeleted({ lingering: copiesLinger(answer) }),
                  (error: unknown) => refused(error, "notice"),
                );
              }}
            >
              Delete the card
            </button>
          </div>
        )}
      </section>
    </>
  );
}

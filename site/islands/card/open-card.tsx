// The card as its recipient opens it: the design full size, the title, and every signature as a note on a
// board. Before delivery only the organiser sees it, through the secret in the link's fragment.
import { useEffect, useState } from "preact/hooks";
import type { CardView } from "../../../origin/cards/views.ts";
import { ApiRequestError } from "../../lib/api-client.ts";
import { cardsApi } from "../../lib/cards-api.ts";
import { noteClass } from "../signature-style.ts";

interface Props {
  cardId: string;
  organiserSecret: string | undefined;
}

/** A slight, stable tilt per note (by position), so the board looks pinned by hand, not printed. */
const tilts = [-1.6, 1.1, -0.6, 1.8, -1.2, 0.7, 1.4, -1.9];

export function OpenCard({ cardId, organiserSecret }: Props) {
  const [view, setView] = useState<CardView | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);

  useEffect(() => {
    cardsApi.card(cardId, organiserSecret).then(
      (card) => {
        setView(card);
        // The recipient's open is recorded by a beacon, so the card's own read can stay cached at the edge.
        if (organiserSecret === undefined && card.card.deliveredAt !== null)
          cardsApi.opened(cardId).catch(() => {
            // A lost beacon costs the organiser one "opened" time, never the recipient their card.
          });
      },
      (error: unknown) => {
        if (!(error instanceof ApiRequestError)) throw error;
        setFailure(
          error.status === 404
            ? "There is no card at this link, or it has not been delivered yet. Check that you copied all of it."
            : error.message,
        );
      },
    );
  }, [cardId, organiserSecret]);

  if (failure !== undefined)
    return (
      <section class="flow-intro">
        <h1>This card can’t be opened</h1>
        <p>{failure}</p>
      </section>
    );
  if (view === undefined) return <p class="island__loading">Opening your card…</p>;
  const { card, signatures } = view;
  const preview = card.deliveredAt === null;

  return (
    <article class="opened-card">
      {preview ? (
        <p class="notice notice--preview">
          A preview for the organiser: {card.recipientName} sees this once the card is delivered.
        </p>
      ) : null}
      <div class="opened-card__front">
        <img
          src={card.design.imageUrl}
          srcset={card.design.srcset}
          sizes="(min-width: 32rem) 31.25rem, 100vw"
          alt={card.design.altText}
          width="500"
          height="700"
          fetchpriority="high"
        />
      </div>
      <div class="opened-card__inside">
        <h1 class="opened-card__title">{card.title}</h1>
        <p class="opened-card__to">
          For {card.recipientName}, from {card.senderName}
          {signatures.length > 0
            ? ` and ${signatures.length} ${signatures.length === 1 ? "friend" : "friends"}`
            : ""}
        </p>
        {signatures.length === 0 ? (
          <p>No one has signed yet.</p>
        ) : (
          <ul class="note-board" aria-label="Signatures">
            {signatures.map((signature, index) => (
              <li
                key={signature.id}
                class={noteClass(signature)}
                style={{ "--tilt": `${tilts[index % tilts.length]}deg` }}
              >
                <p class="note__message">{signature.message}</p>
                <p class="note__name">— {signature.name}</p>
              </li>
            ))}
          </ul>
        )}
      </div>
    </article>
  );
}

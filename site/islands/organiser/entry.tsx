// The organiser page's script: mounts the organiser's view of the card named by the path (/o/<cardId>),
// authorised by the secret in the fragment (never sent in a URL; the API gets it in a header).
import { render } from "preact";
import { idFromPath, secretFromFragment } from "../../lib/capability.ts";
import { mountPoint } from "../mount.ts";
import { OrganiseCard } from "./organise-card.tsx";

const root = mountPoint("organise-card");
const cardId = idFromPath(location.pathname, "o");
const secret = secretFromFragment(location.hash);
render(
  cardId === undefined || secret === undefined ? (
    <section class="flow-intro">
      <h1>This organiser link doesn’t work</h1>
      <p>
        It is missing its secret part (after the #). Use the full link you were given when you created the
        card.
      </p>
    </section>
  ) : (
    <OrganiseCard cardId={cardId} secret={secret} />
  ),
  root,
);

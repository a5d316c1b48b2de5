// The card page's script: mounts the card named by the path (/c/<cardId>); an organiser's preview link
// carries the secret in the fragment.
import { render } from "preact";
import { idFromPath, secretFromFragment } from "../../lib/capability.ts";
import { mountPoint } from "../mount.ts";
import { OpenCard } from "./open-card.tsx";

const root = mountPoint("open-card");
const cardId = idFromPath(location.pathname, "c");
render(
  cardId === undefined ? (
    <section class="flow-intro">
      <h1>This card link doesn’t work</h1>
      <p>The link is incomplete. Check that you copied all of it.</p>
    </section>
  ) : (
    <OpenCard cardId={cardId} organiserSecret={secretFromFragment(location.hash)} />
  ),
  root,
);

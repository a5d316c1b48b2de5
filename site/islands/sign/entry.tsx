// The sign page's script: mounts the sign form for the card named by the path (/s/<signId>).
import { render } from "preact";
import { idFromPath } from "../../lib/capability.ts";
import { mountPoint } from "../mount.ts";
import { SignCard } from "./sign-card.tsx";

const root = mountPoint("sign-card");
const signId = idFromPath(location.pathname, "s");
render(
  signId === undefined ? (
    <section class="flow-intro">
      <h1>This sign link doesn’t work</h1>
      <p>The link is incomplete. Ask the organiser to send it again.</p>
    </section>
  ) : (
    <SignCard signId={signId} />
  ),
  root,
);

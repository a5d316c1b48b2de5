// The create page's script: mounts the create form where the page left room for it.
import { render } from "preact";
import { learnServerNow } from "../../lib/clock.ts";
import { createApi } from "../../lib/create-api.ts";
import { designBySlugIn, mountPoint } from "../mount.ts";
import { CreateCard, type DesignChoice } from "./create-card.tsx";

const root = mountPoint("create-card");
const designs = JSON.parse(root.dataset.designs ?? "[]") as DesignChoice[];
const asked = new URLSearchParams(location.search).get("design") ?? undefined;
const form = () => <CreateCard designs={designs} preselected={designBySlugIn(designs, asked)} />;
render(form(), root);

// The API's clock decides what "the future" and "3 months ahead" mean (the stack's may be moved for a demo).
createApi.time().then(
  ({ now }) => {
    learnServerNow(now);
    render(form(), root);
  },
  () => {
    // Without the API's time the browser's stands in; the API still checks the window when the card is sent.
  },
);

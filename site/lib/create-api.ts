// The two routes the create form calls, apart from the rest of the cards API (cards-api.ts) so the create
// page's script carries only these: the API's time (what "now" is for the delivery window) and POST /api/cards.
import type { CreateCardBody } from "../../origin/cards/schema.ts";
import type { CreatedCard, TimeView } from "../../origin/cards/views.ts";
import { callApi } from "./api-client.ts";

export const createApi = {
  time: () => callApi<TimeView>("/api/time"),
  create: (body: CreateCardBody) => callApi<CreatedCard>("/api/cards", { body }),
};

// What deleting a card removes beyond its row, in the order that keeps nothing: the row is gone first (the
// caller's one DELETE), so no capability answers and nothing new can be cached; then its schedule and its
// picture's objects in S3; last the edge's copies, once no origin can hand them out again. Each AWS call has
// its SDK's retries (throttling, 5xx, lost connections); what still fails is named for the operator.

import { cardCachePaths } from "../edge-cache/card-paths.ts";
import type { EdgeCache } from "../edge-cache/edge-cache.ts";
import { type CardSchedules, scheduleName } from "../schedules/card-schedules.ts";
import { removeUpload } from "../uploads/upload-removal.ts";
import type { UploadDependencies } from "../uploads/upload-routes.ts";
import type { CardStatus } from "./views.ts";

/** What is left of a deleted card to remove: its ids, its state and its picture. */
export interface DeletedCard {
  id: string;
  signId: string;
  status: CardStatus;
  uploadUrl: string | null;
}

export interface RemovalDependencies {
  schedules?: CardSchedules | undefined;
  uploads?: UploadDependencies | undefined;
  edgeCache?: EdgeCache | undefined;
}

/** One step that did not finish, with what an operator needs to finish it by hand. */
export interface LeftOver {
  step: "schedule" | "upload" | "edge_cache";
  detail: string;
  error: string;
}

export async function removeDeletedCard(
  { schedules, uploads, edgeCache }: RemovalDependencies,
  card: DeletedCard,
): Promise<LeftOver[]> {
  const leftOvers: LeftOver[] = [];
  const attempt = async (step: LeftOver["step"], detail: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      leftOvers.push({ step, detail, error: error instanceof Error ? error.message : String(error) });
    }
  };
  const { uploadUrl } = card;
  await Promise.all([
    schedules && attempt("schedule", scheduleName(card.id), () => schedules.remove(card.id)),
    uploads && uploadUrl && attempt("upload", uploadUrl, () => removeUpload(uploads, uploadUrl)),
  ]);
  // Even when the picture's objects stayed: the card's data and sign page must still leave the edge.
  const paths = cardCachePaths(card);
  if (edgeCache) await attempt("edge_cache", paths.join(" "), () => edgeCache.invalidate(paths));
  return leftOvers;
}

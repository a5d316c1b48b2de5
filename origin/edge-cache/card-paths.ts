// Which of a card's URIs the edge may hold (edge/distribution.ts), as CloudFront invalidation paths:
// - /api/cards/<cardId>: a delivered card's data, cached a year under the URI alone (cardData policy);
//   before delivery every answer there is no-store, so there is nothing to invalidate.
// - /s/<signId>: the sign page with the card's link preview, cached a minute (sitePages policy; the /s/*
//   behaviour runs no function, so the key is the URI as sent, and the policy keeps no query strings).
// - <upload_url>*: the sender's own picture and every width and format of it, which the viewer-request
//   function turns ?w= and Accept into (/img/uploads/<id>.<ext>/w640.avif), one wildcard path for all.
// /c/<cardId> and /o/<cardId> are not the card's: the URL function maps every id onto one shared shell.
import { isDelivered } from "../cards/card-rules.ts";
import type { CardStatus } from "../cards/views.ts";

export function cardCachePaths(card: {
  id: string;
  signId: string;
  status: CardStatus;
  uploadUrl: string | null;
}): string[] {
  return [
    ...(isDelivered(card.status) ? [`/api/cards/${card.id}`] : []),
    `/s/${card.signId}`,
    ...(card.uploadUrl ? [`${card.uploadUrl}*`] : []),
  ];
}

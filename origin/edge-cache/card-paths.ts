// Which of a card's URIs the edge may hold (edge/distribution.ts), as CloudFront invalidation paths:
// - /api/cards/<cardId>: a delivered card's data, cached a year under the URI alone (cardData policy);
//   before delivery every answer there is no-store, so there is nothing to invalidate.
// - /s/<signId>: the sign page with the card's link preview, cached a minute (sitePages policy; the /s/*
//   behaviour runs no function, so the key is the URI as sent, and the policy keeps no query strings).
// - <upload_url> and each of its variants by exact path, no wildcard: CloudFront allows only 15 wildcard
//   paths in progress per distribution but 3,000 file paths, and an invalidation takes minutes, so a
//   wildcard per picture would refuse the 16th delete at once.
//   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html
// /c/<cardId> and /o/<cardId> are not the card's: the URL function maps every id onto one shared shell.
import { variantFormats, variantPath, variantWidths } from "../../edge/image-variants.ts";
import { isDelivered } from "../cards/card-rules.ts";
import type { CardStatus } from "../cards/views.ts";

/**
 * Every URI the edge caches a picture under. The images policy keys on the URI alone, and the /img/*
 * viewer-request function turns `<upload_url>?w=<width>` (with Accept) into `<upload_url>/w<width>.<format>`
 * before the cache, so those rewritten URIs are the variants' keys; the viewer's URI without `w` is the
 * original's. AWS: "invalidate both URIs ... The URI in the viewer request; The URI after the function
 * changed it" (the query string is not in the key, so the viewer's URI is the original path).
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html
 */
export function pictureCachePaths(uploadUrl: string): string[] {
  return [
    uploadUrl,
    ...variantWidths.flatMap((width) =>
      variantFormats.map((format) => variantPath(uploadUrl, width, format)),
    ),
  ];
}

export function cardCachePaths(card: {
  id: string;
  signId: string;
  status: CardStatus;
  uploadUrl: string | null;
}): string[] {
  return [
    ...(isDelivered(card.status) ? [`/api/cards/${card.id}`] : []),
    `/s/${card.signId}`,
    ...(card.uploadUrl ? pictureCachePaths(card.uploadUrl) : []),
  ];
}

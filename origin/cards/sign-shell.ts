// The sign page's shell with the card's link preview: the built /s/ page with Open Graph and Twitter
// card tags ("Sign Sam's card", the title line, the design), so a sign link pasted into a chat unfurls.
// Every value is HTML-escaped into an attribute or the title; the organiser secret and emails are
// never in the view it is given.
import { imageSrc } from "../../edge/image-variants.ts";

export interface SignShellCard {
  title: string;
  recipientName: string;
  design: { imageUrl: string; altText: string };
}

const entities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text made safe for an HTML attribute value or element content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character] ?? character);
}

/** "Sign Sam's card". */
export function signHeadline(card: Pick<SignShellCard, "recipientName">): string {
  return `Sign ${card.recipientName}’s card`;
}

/** Where the page lives: the site's public origin (configured, never a request's Host) and the link. */
export interface SignShellPlace {
  /** e.g. https://goodgreets.example; locally the edge's http://localhost:<port>. */
  siteUrl: string;
  signId: string;
}

/**
 * The picture an unfurler fetches: absolute, as Open Graph requires (https://ogp.me/#url), and a raster
 * variant, not the SVG original: X's cards take "JPG, PNG, WEBP and GIF … SVG is not supported"
 * (https://developer.x.com/en/docs/x-for-websites/cards/overview/summary-card-with-large-image).
 * 960 px wide is over the 800 px many unfurlers want for a large preview, and well under their 5 MB.
 */
export function previewImageUrl(imageUrl: string, siteUrl: string): string {
  return new URL(imageSrc(imageUrl, 960), siteUrl).href;
}

/** The shell with the card's title and preview tags; the shell as built when there is no card. */
export function renderSignShell(
  shell: string,
  card: SignShellCard | undefined,
  place: SignShellPlace,
): string {
  if (!card) return shell;
  const headline = escapeHtml(signHeadline(card));
  const description = escapeHtml(card.title);
  const image = escapeHtml(previewImageUrl(card.design.imageUrl, place.siteUrl));
  const url = escapeHtml(new URL(`/s/${encodeURIComponent(place.signId)}`, place.siteUrl).href);
  const alt = escapeHtml(card.design.altText);
  const tags = [
    `<meta property="og:type" content="website">`,
    `<meta property="og:url" content="${url}">`,
    `<meta property="og:title" content="${headline}">`,
    `<meta property="og:description" content="${description}">`,
    `<meta property="og:image" content="${image}">`,
    `<meta property="og:image:alt" content="${alt}">`,
    `<meta name="twitter:card" content="summary_large_image">`,
    `<meta name="twitter:title" content="${headline}">`,
    `<meta name="twitter:description" content="${description}">`,
    `<meta name="twitter:image" content="${image}">`,
    // The page's script asks the API for this card first thing; asked here, the answer is on its way while
    // the script still loads (a phone's round trip saved before the form can draw).
    `<link rel="preload" href="/api/sign/${escapeHtml(encodeURIComponent(place.signId))}" as="fetch" crossorigin="anonymous">`,
  ].join("");
  // Replacer functions: a "$" in a card's title must stay text, not a replacement pattern.
  return shell
    .replace(/<title>[^<]*<\/title>/, () => `<title>${headline} · GoodGreets</title>`)
    .replace("</head>", () => `${tags}</head>`);
}

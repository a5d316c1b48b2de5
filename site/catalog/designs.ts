// The card catalog: the categories in display order and every built-in design, with pure look-ups.

export type CategorySlug =
  | "birthday"
  | "thank-you"
  | "congratulations"
  | "farewell"
  | "wedding"
  | "new-baby"
  | "get-well"
  | "anniversary";

export interface Category {
  readonly slug: CategorySlug;
  readonly label: string;
  /** One line shown above the category's designs. */
  readonly description: string;
}

export interface Design {
  /** Unique, url-safe; names the art file and the page fragment. */
  readonly slug: string;
  readonly title: string;
  readonly category: CategorySlug;
  /** What the picture shows, for people who cannot see it. */
  readonly altText: string;
  /** Key of the original picture in the images bucket (served at `/img/<imageKey>`). */
  readonly imageKey: string;
}

/** Width and height of every catalog picture: a 5:7 portrait card front. */
export const cardFrontSize = { width: 500, height: 700 } as const;

export const categories: readonly Category[] = [
  {
    slug: "birthday",
    label: "Birthday",
    description: "Balloons, cake and confetti for another trip around the sun.",
  },
  {
    slug: "thank-you",
    label: "Thank you",
    description: "Say it properly, with everyone’s name on it.",
  },
  {
    slug: "congratulations",
    label: "Congratulations",
    description: "New jobs, passed exams and every hard-won win.",
  },
  {
    slug: "farewell",
    label: "Farewell",
    description: "Send a colleague or friend off with the whole team’s good wishes.",
  },
  {
    slug: "wedding",
    label: "Wedding",
    description: "Hearts, rings and best wishes for the happy couple.",
  },
  {
    slug: "new-baby",
    label: "New baby",
    description: "A warm welcome for the newest, smallest arrival.",
  },
  {
    slug: "get-well",
    label: "Get well",
    description: "Kind thoughts and a little sunshine for a speedy recovery.",
  },
  {
    slug: "anniversary",
    label: "Anniversary",
    description: "Raise a glass to the years together.",
  },
];

function design(slug: string, title: string, category: CategorySlug, altText: string): Design {
  return { slug, title, category, altText, imageKey: `catalog/${slug}.svg` };
}

export const designs: readonly Design[] = [
  design(
    "balloon-bunch",
    "Balloon Bunch",
    "birthday",
    "Red, yellow, teal, purple and blue balloons on curly strings, tied with a red bow, float among confetti above “Happy Birthday” in big letters.",
  ),
  design(
    "candles-and-cake",
    "Candles & Cake",
    "birthday",
    "A three-layer pink cake with five lit candles stands on a plate against a cream background, under the words “Happy Birthday”.",
  ),
  design(
    "party-bunting",
    "Party Bunting",
    "birthday",
    "Two strings of colourful triangle flags hang across a sky-blue card over a red gift box with a yellow bow and confetti, above “Happy Birthday”.",
  ),
  design(
    "starry-birthday",
    "Starry Birthday",
    "birthday",
    "Golden stars and a crescent moon shine on a deep midnight-blue sky above the words “Happy Birthday”.",
  ),
  design(
    "bits-and-bobs",
    "Bits & Bobs",
    "thank-you",
    "Small hearts, dots, stars and sprigs of leaves are scattered around the words “Thank You” on a soft peach background.",
  ),
  design(
    "thank-you-bouquet",
    "Bouquet of Thanks",
    "thank-you",
    "A bunch of coral, yellow and pink flowers on green stems in a paper cone tied with a red bow, above the words “Thank You”.",
  ),
  design(
    "heartfelt-thanks",
    "Heartfelt Thanks",
    "thank-you",
    "One large red heart surrounded by a ring of smaller hearts on a blush-pink card, with “Thank You” written across the middle.",
  ),
  design(
    "thanks-a-latte",
    "Thanks a Latte",
    "thank-you",
    "A teal coffee cup with a heart in the foam and curls of steam sits on a white saucer, above the words “Thanks a Latte”.",
  ),
  design(
    "gold-trophy",
    "Gold Trophy",
    "congratulations",
    "A shining gold trophy cup with a star on it stands on a dark plinth amid confetti, above the word “Congrats!”.",
  ),
  design(
    "fireworks-night",
    "Fireworks Night",
    "congratulations",
    "Bursts of pink, gold and turquoise fireworks light up a dark navy sky above the words “Well Done”.",
  ),
  design(
    "pop-the-bubbly",
    "Pop the Bubbly",
    "congratulations",
    "A green champagne bottle pops its cork with a spray of golden bubbles and confetti, above the words “Cheers to You!”.",
  ),
  design(
    "mortarboard",
    "Top of the Class",
    "congratulations",
    "A navy graduation cap with a gold tassel sits above a rolled diploma tied with a red ribbon, with “Proud of You” below.",
  ),
  design(
    "paper-plane",
    "Paper Plane",
    "farewell",
    "A white paper plane trails a dotted loop across a pale blue sky with soft clouds, above the words “Bon Voyage”.",
  ),
  design(
    "sunset-road",
    "Sunset Road",
    "farewell",
    "A road winds toward the horizon under a big orange setting sun and purple hills, with “Good Luck” written in the sky.",
  ),
  design(
    "hot-air-balloon",
    "Up & Away",
    "farewell",
    "A striped red and yellow hot-air balloon, with a small blue one further off, drifts between white clouds in a turquoise sky, above the word “Farewell”.",
  ),
  design(
    "waving-hand",
    "Waving Goodbye",
    "farewell",
    "A friendly yellow hand in a purple sleeve waves, with motion lines on either side, on a lilac card that reads “So Long!”.",
  ),
  design(
    "two-rings",
    "Two Rings",
    "wedding",
    "Two interlocking gold wedding rings, one with a sparkling diamond, between sprigs of leaves above the words “Just Married” on an ivory card.",
  ),
  design(
    "heart-garland",
    "Heart Garland",
    "wedding",
    "Two garlands of small rose, mauve and white hearts swoop across a sage-green card above the words “Happy Wedding Day”.",
  ),
  design(
    "wedding-bells",
    "Wedding Bells",
    "wedding",
    "Two golden bells tied with a pink bow ring out beneath a string of little hearts, above the words “Mr & Mrs”.",
  ),
  design(
    "floral-arch",
    "Floral Arch",
    "wedding",
    "An arch of leaves and blush-pink flowers frames the words “With Love” on a soft cream background.",
  ),
  design(
    "stork-delivery",
    "Special Delivery",
    "new-baby",
    "A white stork flies across a pale blue sky carrying a bundle in a cloth, above the words “Hello Baby”.",
  ),
  design(
    "baby-rattle",
    "Little Rattle",
    "new-baby",
    "A yellow baby rattle with a mint handle and a pink bow, surrounded by small stars, above the word “Welcome”.",
  ),
  design(
    "sleepy-moon",
    "Sleepy Moon",
    "new-baby",
    "A smiling crescent moon with closed eyes rests among soft stars and clouds on a lavender card reading “Sweet Dreams”.",
  ),
  design(
    "baby-bunting",
    "Baby Bunting",
    "new-baby",
    "Pastel pink, blue, yellow and mint flags hang above a pink and a blue baby footprint and the words “Welcome Little One”.",
  ),
  design(
    "sunrise",
    "New Sunrise",
    "get-well",
    "A warm yellow sun rises over green hills, its rays spreading across a peach sky, above the words “Get Well Soon”.",
  ),
  design(
    "tea-and-sympathy",
    "Tea & Sympathy",
    "get-well",
    "A spotted blue teapot pours tea into a white cup beside a plate of biscuits, above the words “Feel Better”.",
  ),
  design(
    "sunflowers",
    "Sunflowers",
    "get-well",
    "Three tall sunflowers with brown centres and green leaves stand in a row on a sky-blue card reading “Get Well Soon”.",
  ),
  design(
    "clinking-glasses",
    "Clinking Glasses",
    "anniversary",
    "Two champagne flutes clink together with a little burst of sparkle above them, over the words “Happy Anniversary”.",
  ),
  design(
    "entwined-hearts",
    "Entwined Hearts",
    "anniversary",
    "Two overlapping hearts, one ruby and one gold, glow on a deep plum card above the words “Happy Anniversary”.",
  ),
  design(
    "roses",
    "Dozen Roses",
    "anniversary",
    "A bunch of deep red roses with green leaves tied with a gold bow, above the words “Still Us”.",
  ),
];

export function categoryBySlug(slug: string): Category | undefined {
  return categories.find((category) => category.slug === slug);
}

export function designBySlug(slug: string): Design | undefined {
  return designs.find((candidate) => candidate.slug === slug);
}

/** The designs of one category, in catalog order. */
export function designsInCategory(category: string): Design[] {
  return designs.filter((candidate) => candidate.category === category);
}

/** Label shown for a design's category; the slug itself if the category is unknown. */
export function categoryLabel(slug: string): string {
  return categoryBySlug(slug)?.label ?? slug;
}

/** Public URL of a design's picture: the images bucket behind `/img/*` at the edge. */
export function designImageUrl(target: Pick<Design, "imageKey">): string {
  return `/img/${target.imageKey}`;
}

/** Path of a design's own page: its large picture and the button that starts a card with it. */
export function designPath(target: Pick<Design, "slug">): string {
  return `/design/${target.slug}/`;
}

/** Path of the create page with a design chosen. */
export function createPath(target?: Pick<Design, "slug">): string {
  return target === undefined ? "/create/" : `/create/?design=${encodeURIComponent(target.slug)}`;
}

/** Path of a category's page, or of the whole catalog when no category is given. */
export function categoryPath(slug?: string): string {
  return slug === undefined ? "/" : `/designs/${slug}/`;
}

const urlSafeSlug = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Every broken rule of the catalog, in words; empty when the catalog is sound. */
export function catalogProblems(
  catalogCategories: readonly Category[] = categories,
  catalogDesigns: readonly Design[] = designs,
): string[] {
  const problems: string[] = [];
  const categorySlugs = new Set<string>();
  for (const category of catalogCategories) {
    if (categorySlugs.has(category.slug)) problems.push(`category ${category.slug} is listed twice`);
    categorySlugs.add(category.slug);
    if (!catalogDesigns.some((candidate) => candidate.category === category.slug))
      problems.push(`category ${category.slug} has no designs`);
  }
  const designSlugs = new Set<string>();
  for (const candidate of catalogDesigns) {
    if (!urlSafeSlug.test(candidate.slug)) problems.push(`design slug ${candidate.slug} is not url-safe`);
    if (designSlugs.has(candidate.slug)) problems.push(`design slug ${candidate.slug} is used twice`);
    designSlugs.add(candidate.slug);
    if (!categorySlugs.has(candidate.category))
      problems.push(`design ${candidate.slug} is in unknown category ${candidate.category}`);
    if (candidate.title.trim() === "") problems.push(`design ${candidate.slug} has no title`);
    const alt = candidate.altText.trim();
    if (alt === "" || alt.toLowerCase() === candidate.title.trim().toLowerCase())
      problems.push(`design ${candidate.slug} needs alt text that describes the picture`);
    if (candidate.imageKey !== `catalog/${candidate.slug}.svg`)
      problems.push(`design ${candidate.slug} has image key ${candidate.imageKey}`);
  }
  return problems;
}

// A broken catalog fails the build and every test that imports it, not a page in production.
const problems = catalogProblems();
if (problems.length > 0) throw new Error(`The card catalog is inconsistent: ${problems.join("; ")}`);

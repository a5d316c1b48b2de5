// What every page script needs to mount its form: the element the static page left for it.
// Pages mount from a bundled module script, not Astro's `client:*`, whose runtime is an inline script
// that the CSP (`script-src 'self'`, edge/distribution.ts) refuses.

/** The element with this id, emptied of the static placeholder it held until the script ran. */
export function mountPoint(id: string): HTMLElement {
  const root = document.getElementById(id);
  if (root === null) throw new Error(`The page has no #${id} to mount into`);
  root.replaceChildren();
  root.removeAttribute("aria-busy");
  return root;
}

/** `slug` when it names one of `designs`, else undefined (a stale or hand-typed ?design= is ignored). */
export function designBySlugIn(
  designs: readonly { slug: string }[],
  slug: string | undefined,
): string | undefined {
  return designs.some((design) => design.slug === slug) ? slug : undefined;
}

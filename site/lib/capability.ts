// Reads the capability a page was opened with: the id from the path (/s/<signId>, /o/<cardId>, /c/<cardId>)
// and the organiser secret from the fragment, which browsers never send to any server.

/** The id after `/<prefix>/` in a path, or undefined when the path has none or a malformed one. */
export function idFromPath(pathname: string, prefix: "s" | "o" | "c"): string | undefined {
  const match = new RegExp(`^/${prefix}/([A-Za-z0-9_-]{1,128})/?$`).exec(pathname);
  return match?.[1];
}

/** The organiser secret in the fragment (`#<secret>`), or undefined when there is none. */
export function secretFromFragment(hash: string): string | undefined {
  const secret = hash.startsWith("#") ? hash.slice(1) : hash;
  return /^[A-Za-z0-9_-]{16,256}$/.test(secret) ? secret : undefined;
}

// Picks the cache behaviour for a viewer request the way CloudFront does: path patterns in order,
// `*` (zero or more characters) and `?` (exactly one), case-sensitive, against the viewer's original path.
import type { BehaviourDeclaration } from "../../../edge/distribution.ts";

export function pathPatternToRegExp(pattern: string): RegExp {
  // A leading "/" is optional in CloudFront patterns: "images/*" and "/images/*" are the same.
  const normalised = pattern === "*" || pattern.startsWith("/") ? pattern : `/${pattern}`;
  const source = [...normalised]
    .map((character) => {
      if (character === "*") return ".*";
      if (character === "?") return ".";
      return character.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${source}$`, "s");
}

export function matchBehaviour<B extends Pick<BehaviourDeclaration, "pathPattern">>(
  behaviours: readonly B[],
  path: string,
): B {
  const match = behaviours.find((behaviour) => pathPatternToRegExp(behaviour.pathPattern).test(path));
  if (!match) throw new Error(`no behaviour matches ${path}: the declaration must end with the default "*"`);
  return match;
}

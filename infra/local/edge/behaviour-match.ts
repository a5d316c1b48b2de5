// Picks the cache behaviour for a viewer request the way CloudFront does: path patterns in order,
// `*` (zero or more characters) and `?` (exactly one), case-sensitive, against the viewer's path
// normalised per RFC 3986 (unreserved characters decoded, dot segments removed). The origin and the
// functions still get the raw path; AWS Support, quoted at
// https://repost.aws/questions/QUYxerjgCwQlSRsrxUx-hoAg: "Even if the URI is normalized for matching,
// Lambda@Edge gets the original request URI."
import type { BehaviourDeclaration } from "../../../edge/distribution.ts";

/** RFC 3986 §6.2.2: percent-encoded unreserved characters decoded, then §5.2.4 dot segments removed. */
export function normalisedPath(path: string): string {
  const decoded = path.replace(
    /%(4[1-9A-F]|5[0-9A]|6[1-9A-F]|7[0-9A]|3[0-9]|2D|2E|5F|7E)/gi,
    (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)),
  );
  const input = decoded.split("/");
  const output: string[] = [];
  for (let index = 1; index < input.length; index += 1) {
    const segment = input[index] ?? "";
    const last = index === input.length - 1;
    if (segment === "." || segment === "..") {
      if (segment === "..") output.pop();
      if (last) output.push("");
      continue;
    }
    output.push(segment);
  }
  return `/${output.join("/")}`;
}

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

const compiled = new Map<string, RegExp>();
function patternRegExp(pattern: string): RegExp {
  const known = compiled.get(pattern);
  if (known) return known;
  const regExp = pathPatternToRegExp(pattern);
  compiled.set(pattern, regExp);
  return regExp;
}

export function matchBehaviour<B extends Pick<BehaviourDeclaration, "pathPattern">>(
  behaviours: readonly B[],
  path: string,
): B {
  const normalised = normalisedPath(path);
  const match = behaviours.find((behaviour) => patternRegExp(behaviour.pathPattern).test(normalised));
  if (!match) throw new Error(`no behaviour matches ${path}: the declaration must end with the default "*"`);
  return match;
}

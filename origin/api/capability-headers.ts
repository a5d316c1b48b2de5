// The secrets that authorise changes travel in headers, never in a path or query (so never in a request
// line or an access log): the organiser's in x-organiser-secret, a signer's in x-signature-secret.
import { secretMatches } from "../cards/capability.ts";
import { ApiError } from "./errors.ts";

export const organiserSecretHeader = "x-organiser-secret";
export const signatureSecretHeader = "x-signature-secret";

/** Checks the presented secret against the stored hash: 401 when none is sent, 403 when it is wrong. */
export function requireSecret(request: Request, header: string, storedHashHex: string): void {
  const presented = request.headers.get(header);
  if (presented === null || presented === "")
    throw new ApiError(401, "missing_secret", `This needs the secret in the ${header} header.`, header);
  if (!secretMatches(presented, storedHashHex))
    throw new ApiError(403, "wrong_secret", `The secret in ${header} is not this card’s.`, header);
}

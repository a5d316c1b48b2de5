// What CloudFront accepts in a CreateInvalidation body (an InvalidationBatch), and what it refuses, with its
// error codes: the rules as pure functions over the XML text.
import { AwsError } from "../aws-error.ts";
import { elementTexts, unescapeXml } from "../s3/xml.ts";

// Statuses from the service model (botocore cloudfront/2020-05-31/service-2.json, the errors of
// CreateInvalidation, GetInvalidation and ListInvalidations).
export const invalidArgument = (message: string) => new AwsError(400, "InvalidArgument", message);
export const noSuchDistribution = (id: string) =>
  new AwsError(404, "NoSuchDistribution", `The specified distribution does not exist: ${id}.`);

export interface InvalidationBatch {
  callerReference: string;
  paths: string[];
}

/**
 * "The maximum length of a path is 4,000 characters"; up to 3,000 file paths and 15 wildcard paths may be
 * in progress per distribution at once ("Concurrent invalidation request maximum"), refused beyond that
 * with TooManyInvalidationsInProgress.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/invalidation-specifying-objects.html
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/InvalidationLimits.html
 */
export const invalidationLimits = { pathCharacters: 4000, filePaths: 3000, wildcardPaths: 15 } as const;

const isWildcard = (path: string) => path.endsWith("*");

/** One path: relative to the distribution with a leading '/', the '*' wildcard only as its last character. */
function checkPath(path: string): void {
  // "When you use the CloudFront API directly, invalidation paths must begin with a leading slash."
  if (!path.startsWith("/"))
    throw invalidArgument(`Your request contains one or more invalid invalidation paths: ${path}`);
  // "The *, which replaces 0 or more characters, must be the last character in the invalidation path."
  if (path.indexOf("*") !== -1 && path.indexOf("*") !== path.length - 1)
    throw invalidArgument(`Your request contains one or more invalid invalidation paths: ${path}`);
  if (path.length > invalidationLimits.pathCharacters)
    throw invalidArgument(
      `Your request contains a path longer than ${invalidationLimits.pathCharacters} characters.`,
    );
}

/** The text of the one `<name>` child, unescaped; undefined when absent. */
function child(xml: string, name: string): string | undefined {
  const [text] = elementTexts(xml, name);
  return text === undefined ? undefined : unescapeXml(text);
}

/** Reads and checks an InvalidationBatch document (the body of CreateInvalidation). */
export function parseInvalidationBatch(xml: string): InvalidationBatch {
  if (xml.trim() === "")
    throw new AwsError(
      400,
      "MissingBody",
      "This operation requires a body. Ensure that the body is present and the Content-Type header is set.",
    );
  const [batch] = elementTexts(xml, "InvalidationBatch");
  if (batch === undefined)
    // CloudFront's answer to a body it cannot read as the operation's XML, e.g. "Unexpected list element
    // termination" (https://github.com/laurilehmijoki/s3_website/issues/320).
    throw new AwsError(400, "MalformedInput", "The request body is not an InvalidationBatch.");
  const callerReference = child(batch, "CallerReference");
  if (!callerReference) throw invalidArgument("CallerReference is required.");
  const [paths] = elementTexts(batch, "Paths");
  const quantityText = paths === undefined ? undefined : child(paths, "Quantity");
  if (paths === undefined || quantityText === undefined)
    throw invalidArgument("Paths with a Quantity is required.");
  const quantity = /^\d{1,9}$/.test(quantityText.trim()) ? Number(quantityText.trim()) : Number.NaN;
  if (Number.isNaN(quantity))
    throw invalidArgument(`Quantity must be a whole number, not "${quantityText}".`);
  const [items] = elementTexts(paths, "Items");
  const list = items === undefined ? [] : elementTexts(items, "Path").map(unescapeXml);
  // https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Paths.html: Quantity is the number of
  // Items; a disagreement is InconsistentQuantities ("The value of Quantity and the size of Items don't match").
  if (quantity !== list.length)
    throw new AwsError(
      400,
      "InconsistentQuantities",
      `The value of Quantity (${quantity}) and the size of Items (${list.length}) don't match.`,
    );
  if (list.length === 0) throw invalidArgument("An invalidation batch needs at least one path.");
  for (const path of list) checkPath(path);
  return { callerReference, paths: list };
}

/** Refuses a batch that would take the paths of the invalidations still in progress, and its own, past the limits. */
export function checkInProgressLimits(
  inProgress: readonly InvalidationBatch[],
  batch: InvalidationBatch,
): void {
  const paths = [...inProgress.flatMap((earlier) => earlier.paths), ...batch.paths];
  const wildcards = paths.filter(isWildcard).length;
  if (wildcards > invalidationLimits.wildcardPaths || paths.length - wildcards > invalidationLimits.filePaths)
    throw new AwsError(
      400,
      "TooManyInvalidationsInProgress",
      `Processing your request would cause you to exceed the maximum number of in-progress wildcard invalidations (${invalidationLimits.wildcardPaths}) or file invalidations (${invalidationLimits.filePaths}).`,
    );
}

/**
 * "If you make a second invalidation request with the same value for CallerReference, and if the rest of
 * the request is the same, CloudFront doesn't create a new invalidation request"; with different paths it
 * answers InvalidationBatchAlreadyExists (not a modelled error: SDKs see the code on a generic exception;
 * 409 as CloudFront's other …AlreadyExists errors).
 * https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_InvalidationBatch.html
 */
export function sameBatch(a: InvalidationBatch, b: InvalidationBatch): boolean {
  return a.paths.length === b.paths.length && a.paths.every((path, index) => path === b.paths[index]);
}

export const batchAlreadyExists = (callerReference: string) =>
  new AwsError(
    409,
    "InvalidationBatchAlreadyExists",
    `An invalidation batch with CallerReference ${callerReference} already exists with different paths.`,
  );

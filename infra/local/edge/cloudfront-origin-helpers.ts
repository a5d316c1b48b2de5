// The `cloudfront` module's origin helpers for CloudFront Functions: their arguments checked as CloudFront
// checks them, gathered into the origin override a viewer-request run hands to the edge.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/helper-functions-origin-modification.html
// The parameter ranges are CloudFront's origin settings (API_Origin, API_CustomOriginConfig,
// API_OriginGroupFailoverCriteria in the CloudFront API reference); the guide does not say which status a
// bad argument gives, so a bad call throws inside the function, which CloudFront answers with 503.
import { isHiddenFromFunctions, mayBeOriginCustomHeader } from "./header-rules.ts";

export interface OriginUpdate {
  domainName?: string;
  originPath?: string;
  customHeaders?: Record<string, string>;
  connectionAttempts?: number;
  timeouts?: { readTimeout?: number; keepAliveTimeout?: number; connectionTimeout?: number };
  originShield?: { enabled: boolean; region?: string };
  originAccessControlConfig?: {
    enabled: boolean;
    signingBehavior?: "always" | "never" | "no-override";
    signingProtocol?: "sigv4";
    originType?: "s3" | "mediastore" | "mediapackagev2" | "lambda";
  };
  customOriginConfig?: { port: number; protocol: "http" | "https"; sslProtocols: string[] };
}

export interface OriginGroup {
  /** The primary origin, then the one CloudFront fails over to. */
  originIds: [string, string];
  failoverStatusCodes: number[];
  selectionCriteria: "default" | "media-quality-score";
}

/** What a viewer-request function asked of the origin; absent fields keep the behaviour's origin. */
export interface FunctionOriginOverride {
  /** A declared origin by id, or an origin group formed from two of them; the last call wins. */
  target?: { originId: string } | { group: OriginGroup };
  /** Settings laid over the target's; later calls override earlier ones field by field. */
  update?: OriginUpdate;
}

export class OriginHelperError extends TypeError {}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function fields(value: unknown, what: string, allowed: readonly string[]): Json {
  if (!isObject(value)) throw new OriginHelperError(`${what} must be an object`);
  for (const key of Object.keys(value))
    if (!allowed.includes(key)) throw new OriginHelperError(`${what} has no parameter ${key}`);
  return value;
}

function integer(value: unknown, what: string, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max)
    throw new OriginHelperError(`${what} must be an integer from ${min} to ${max}`);
  return value as number;
}

function oneOf<T extends string>(value: unknown, what: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T))
    throw new OriginHelperError(`${what} must be one of ${allowed.join(", ")}`);
  return value as T;
}

const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// A header value: visible ASCII, spaces and tabs, no line breaks.
const headerValue = /^[\t\x20-\x7e]*$/;

function customHeaders(value: unknown): Record<string, string> {
  if (!isObject(value)) throw new OriginHelperError("customHeaders must be an object of name: value");
  const headers: Record<string, string> = {};
  for (const [name, text] of Object.entries(value)) {
    if (!token.test(name))
      throw new OriginHelperError(`customHeaders: ${JSON.stringify(name)} is not a header name`);
    if (!mayBeOriginCustomHeader(name) || isHiddenFromFunctions(name))
      throw new OriginHelperError(`customHeaders: CloudFront cannot add ${name}`);
    if (typeof text !== "string" || !headerValue.test(text))
      throw new OriginHelperError(`customHeaders: ${name} needs a string value without line breaks`);
    headers[name.toLowerCase()] = text;
  }
  return headers;
}

function updateOf(params: unknown): OriginUpdate {
  const input = fields(params, "updateRequestOrigin()", [
    "domainName",
    "originPath",
    "customHeaders",
    "connectionAttempts",
    "timeouts",
    "originShield",
    "originAccessControlConfig",
    "customOriginConfig",
  ]);
  const update: OriginUpdate = {};
  if (input.domainName !== undefined) {
    const name = input.domainName;
    if (typeof name !== "string" || !/^[A-Za-z0-9.-]{1,253}$/.test(name))
      throw new OriginHelperError("domainName must be a DNS name of at most 253 characters");
    update.domainName = name;
  }
  if (input.originPath !== undefined) {
    const path = input.originPath;
    if (
      typeof path !== "string" ||
      path.length > 255 ||
      (path !== "" && (!path.startsWith("/") || path.endsWith("/")))
    )
      throw new OriginHelperError("originPath must start with / and not end with / (at most 255 characters)");
    update.originPath = path;
  }
  if (input.customHeaders !== undefined) update.customHeaders = customHeaders(input.customHeaders);
  if (input.connectionAttempts !== undefined)
    update.connectionAttempts = integer(input.connectionAttempts, "connectionAttempts", 1, 3);
  if (input.timeouts !== undefined) {
    const timeouts = fields(input.timeouts, "timeouts", [
      "readTimeout",
      "keepAliveTimeout",
      "connectionTimeout",
    ]);
    update.timeouts = {
      ...(timeouts.readTimeout !== undefined
        ? { readTimeout: integer(timeouts.readTimeout, "timeouts.readTimeout", 1, 60) }
        : {}),
      ...(timeouts.keepAliveTimeout !== undefined
        ? { keepAliveTimeout: integer(timeouts.keepAliveTimeout, "timeouts.keepAliveTimeout", 1, 60) }
        : {}),
      ...(timeouts.connectionTimeout !== undefined
        ? { connectionTimeout: integer(timeouts.connectionTimeout, "timeouts.connectionTimeout", 1, 10) }
        : {}),
    };
  }
  if (input.originShield !== undefined) {
    const shield = fields(input.originShield, "originShield", ["enabled", "region"]);
    if (typeof shield.enabled !== "boolean")
      throw new OriginHelperError("originShield.enabled must be a boolean");
    if (
      shield.enabled &&
      (typeof shield.region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(shield.region))
    )
      throw new OriginHelperError(
        "originShield.region must name an AWS Region when Origin Shield is enabled",
      );
    update.originShield = {
      enabled: shield.enabled,
      ...(shield.enabled ? { region: shield.region as string } : {}),
    };
  }
  if (input.originAccessControlConfig !== undefined) {
    const oac = fields(input.originAccessControlConfig, "originAccessControlConfig", [
      "enabled",
      "signingBehavior",
      "signingProtocol",
      "originType",
    ]);
    if (typeof oac.enabled !== "boolean")
      throw new OriginHelperError("originAccessControlConfig.enabled must be a boolean");
    update.originAccessControlConfig = oac.enabled
      ? {
          enabled: true,
          signingBehavior: oneOf(oac.signingBehavior, "signingBehavior", [
            "always",
            "never",
            "no-override",
          ] as const),
          signingProtocol: oneOf(oac.signingProtocol, "signingProtocol", ["sigv4"] as const),
          originType: oneOf(oac.originType, "originType", [
            "s3",
            "mediastore",
            "mediapackagev2",
            "lambda",
          ] as const),
        }
      : { enabled: false };
  }
  if (input.customOriginConfig !== undefined) {
    const custom = fields(input.customOriginConfig, "customOriginConfig", [
      "port",
      "protocol",
      "sslProtocols",
    ]);
    const port = integer(custom.port, "customOriginConfig.port", 1, 65535);
    if (port !== 80 && port !== 443 && port < 1024)
      throw new OriginHelperError("customOriginConfig.port must be 80, 443 or 1024-65535");
    const protocols = custom.sslProtocols;
    if (!Array.isArray(protocols) || protocols.length === 0)
      throw new OriginHelperError("customOriginConfig.sslProtocols must list at least one protocol");
    update.customOriginConfig = {
      port,
      protocol: oneOf(custom.protocol, "customOriginConfig.protocol", ["http", "https"]),
      sslProtocols: protocols.map((entry) =>
        oneOf(entry, "customOriginConfig.sslProtocols", ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"]),
      ),
    };
  }
  return update;
}

// Status codes an origin group may fail over on (API_OriginGroupFailoverCriteria / StatusCodes).
const failoverStatusCodes = [400, 403, 404, 416, 500, 502, 503, 504];

/** One run's origin override, built call by call; `declaredOriginIds` are the distribution's origins. */
export class OriginOverrideBuilder {
  #override: FunctionOriginOverride = {};
  readonly #declared: ReadonlySet<string>;

  constructor(declaredOriginIds: readonly string[]) {
    this.#declared = new Set(declaredOriginIds);
  }

  #declaredId(value: unknown, what: string): string {
    if (typeof value !== "string" || !this.#declared.has(value))
      throw new OriginHelperError(`${what}: no origin with id ${JSON.stringify(value)} in this distribution`);
    return value;
  }

  updateRequestOrigin(params: unknown): void {
    const update = updateOf(params);
    const before = this.#override.update ?? {};
    this.#override.update = {
      ...before,
      ...update,
      ...(update.timeouts ? { timeouts: { ...before.timeouts, ...update.timeouts } } : {}),
    };
  }

  selectRequestOriginById(originId: unknown): void {
    this.#override.target = { originId: this.#declaredId(originId, "selectRequestOriginById()") };
  }

  createRequestOriginGroup(params: unknown): void {
    const input = fields(params, "createRequestOriginGroup()", [
      "originIds",
      "failoverCriteria",
      "selectionCriteria",
    ]);
    const ids = input.originIds;
    if (!Array.isArray(ids) || ids.length !== 2 || ids[0] === ids[1])
      throw new OriginHelperError("createRequestOriginGroup(): originIds must name two different origins");
    const criteria = fields(input.failoverCriteria, "failoverCriteria", ["statusCodes"]);
    const codes = criteria.statusCodes;
    if (
      !Array.isArray(codes) ||
      codes.length === 0 ||
      codes.some((code) => !failoverStatusCodes.includes(code))
    )
      throw new OriginHelperError(
        `failoverCriteria.statusCodes must list some of ${failoverStatusCodes.join(", ")}`,
      );
    this.#override.target = {
      group: {
        originIds: [this.#declaredId(ids[0], "originIds"), this.#declaredId(ids[1], "originIds")],
        failoverStatusCodes: [...new Set(codes as number[])],
        selectionCriteria:
          input.selectionCriteria === undefined
            ? "default"
            : oneOf(input.selectionCriteria, "selectionCriteria", ["default", "media-quality-score"]),
      },
    };
  }

  /** The override, or undefined when the run called no helper. */
  result(): FunctionOriginOverride | undefined {
    return this.#override.target || this.#override.update ? this.#override : undefined;
  }
}

// Where a request goes once a viewer-request CloudFront Function used the origin helpers, as far as the
// local edge can honour it: another declared origin, its connection settings, its origin path and custom
// headers. What only real CloudFront can do (another host, Origin Shield, OAC settings, failover) is named
// so the edge can say it in its diagnostic log.
import type {
  DistributionDeclaration,
  OriginConnectionDeclaration,
  OriginDeclaration,
} from "../../../edge/distribution.ts";
import type { FunctionOriginOverride } from "./cloudfront-origin-helpers.ts";

export interface OverriddenOrigin {
  declaration: OriginDeclaration;
  connection: OriginConnectionDeclaration;
  /** Put before the request's URI, as an origin path is. */
  originPath: string;
  /** Origin custom headers: they replace viewer headers of the same name. */
  customHeaders: [string, string][];
  /** What the override asked that the local edge does not do. */
  notHonoured: string[];
}

export function overriddenOrigin(
  distribution: DistributionDeclaration,
  behaviourOriginId: string,
  override: FunctionOriginOverride | undefined,
): OverriddenOrigin {
  const target = override?.target;
  const notHonoured: string[] = [];
  let originId = behaviourOriginId;
  if (target && "originId" in target) originId = target.originId;
  else if (target) {
    originId = target.group.originIds[0];
    notHonoured.push(`failover to origin ${target.group.originIds[1]} (the group's primary is used)`);
  }
  const declaration = distribution.origins.find((origin) => origin.id === originId);
  if (!declaration) throw new Error(`origin ${originId} is not declared`);
  const update = override?.update ?? {};
  const connection: OriginConnectionDeclaration = {
    attempts:
      (update.connectionAttempts as OriginConnectionDeclaration["attempts"] | undefined) ??
      declaration.connection.attempts,
    connectionTimeoutSeconds:
      update.timeouts?.connectionTimeout ?? declaration.connection.connectionTimeoutSeconds,
    readTimeoutSeconds: update.timeouts?.readTimeout ?? declaration.connection.readTimeoutSeconds,
  };
  if (update.domainName !== undefined) notHonoured.push(`domainName ${update.domainName}`);
  if (update.customOriginConfig) notHonoured.push("customOriginConfig (port, protocol, TLS versions)");
  if (update.originShield) notHonoured.push("originShield");
  if (update.originAccessControlConfig) notHonoured.push("originAccessControlConfig");
  if (update.timeouts?.keepAliveTimeout !== undefined) notHonoured.push("timeouts.keepAliveTimeout");
  return {
    declaration,
    connection,
    originPath: update.originPath ?? "",
    customHeaders: Object.entries(update.customHeaders ?? {}),
    notHonoured,
  };
}

/** The origin request's headers with the origin's custom headers in place of any of the same name. */
export function withOriginCustomHeaders(
  headers: readonly [string, string][],
  customHeaders: readonly [string, string][],
): [string, string][] {
  if (customHeaders.length === 0) return [...headers];
  const replaced = new Set(customHeaders.map(([name]) => name.toLowerCase()));
  return [...headers.filter(([name]) => !replaced.has(name.toLowerCase())), ...customHeaders];
}

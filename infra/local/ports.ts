// Where the local stack listens: one base port (GOODGREETS_PORT, or PORT, default 8080) for the edge with
// the stand-ins on the ports after it, and a GOODGREETS_<SERVICE>_PORT override for each; 0 picks a free one.

export interface LocalPorts {
  edge: number;
  s3: number;
  dataApi: number;
  functionUrl: number;
  postgres: number;
  scheduler: number;
  ses: number;
  /** The latest edge metrics report (infra/metrics/report-server.ts). */
  metrics: number;
  /** The CloudFront API stand-in (invalidations of the local edge's cache). */
  cloudfront: number;
}

/** Each service's override variable and its offset from the base port. */
const services: Record<keyof LocalPorts, { variable: string; offset: number }> = {
  edge: { variable: "GOODGREETS_EDGE_PORT", offset: 0 },
  s3: { variable: "GOODGREETS_S3_PORT", offset: 1 },
  dataApi: { variable: "GOODGREETS_DATA_API_PORT", offset: 2 },
  functionUrl: { variable: "GOODGREETS_FUNCTION_URL_PORT", offset: 3 },
  postgres: { variable: "GOODGREETS_POSTGRES_PORT", offset: 4 },
  scheduler: { variable: "GOODGREETS_SCHEDULER_PORT", offset: 5 },
  ses: { variable: "GOODGREETS_SES_PORT", offset: 6 },
  metrics: { variable: "GOODGREETS_METRICS_PORT", offset: 7 },
  cloudfront: { variable: "GOODGREETS_CLOUDFRONT_PORT", offset: 8 },
};

export const defaultBasePort = 8080;

function portFrom(variable: string, value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535))
    throw new Error(`${variable} must be a port number from 0 to 65535, not "${value}"`);
  return port;
}

/** The ports from the environment; a value that is not a port is an error naming its variable. */
export function localPorts(env: Readonly<Record<string, string | undefined>>): LocalPorts {
  // PORT is the usual way to move a web server; it moves the whole stack unless GOODGREETS_PORT says otherwise.
  const baseVariable = env.GOODGREETS_PORT !== undefined ? "GOODGREETS_PORT" : "PORT";
  const baseValue = env[baseVariable];
  const base = baseValue === undefined ? defaultBasePort : portFrom(baseVariable, baseValue);
  const ports = {} as LocalPorts;
  for (const [service, { variable, offset }] of Object.entries(services) as [
    keyof LocalPorts,
    { variable: string; offset: number },
  ][]) {
    const override = env[variable];
    if (override !== undefined) ports[service] = portFrom(variable, override);
    else if (base === 0) ports[service] = 0;
    else if (base + offset > 65_535)
      throw new Error(`${baseVariable}=${base} leaves no room for the ${service} port (${base + offset})`);
    else ports[service] = base + offset;
  }
  return ports;
}

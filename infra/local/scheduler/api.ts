// Scheduler's REST-JSON operations on the stand-in's store: CreateSchedule, UpdateSchedule, GetSchedule,
// ListSchedules, DeleteSchedule and the same for schedule groups, each refusing as Scheduler refuses.
// https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Operations.html
import { AwsError } from "../aws-error.ts";
import { localAccountId, localRegion } from "../config.ts";
import { checkSchedule, conflict, namePattern, notFound, validation } from "./schedule-rules.ts";
import type { ScheduleStore } from "./schedule-store.ts";

export const seconds = (milliseconds: number) => Math.floor(milliseconds / 1000);

export const groupArn = (name: string) =>
  `arn:aws:scheduler:${localRegion}:${localAccountId}:schedule-group/${name}`;

/** Answers one call (`path` as it came, `body` parsed); throws an AwsError for what Scheduler refuses. */
export async function schedulerOperation(
  store: ScheduleStore,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): Promise<unknown> {
  const [collection, rawName, extra] = path.split("/").slice(1);
  const name = rawName === undefined ? undefined : decodeURIComponent(rawName);
  if (extra !== undefined || (name !== undefined && !namePattern.test(name)))
    throw validation("Name must be 1 to 64 characters of letters, digits, '-', '_' and '.'.");
  const stamp = seconds(Date.now());
  if (collection === "schedules" && name !== undefined) {
    const group = method === "GET" || method === "DELETE" ? (query.get("groupName") ?? "default") : undefined;
    if (method === "POST" || method === "PUT") {
      const fields = checkSchedule(body);
      if (!store.groups.has(fields.GroupName))
        throw notFound(`Schedule group ${fields.GroupName} does not exist.`);
      const existing = store.get(fields.GroupName, name);
      if (method === "POST" && existing) throw conflict(`Schedule ${name} already exists.`);
      if (method === "PUT" && !existing) throw notFound(`Schedule ${name} does not exist.`);
      const Arn = `arn:aws:scheduler:${localRegion}:${localAccountId}:schedule/${fields.GroupName}/${name}`;
      await store.put({
        ...fields,
        Name: name,
        Arn,
        CreationDate: existing?.CreationDate ?? stamp,
        LastModificationDate: stamp,
      });
      return { ScheduleArn: Arn };
    }
    const schedule = store.get(group ?? "default", name);
    if (!schedule) throw notFound(`Schedule ${name} does not exist.`);
    if (method === "DELETE") {
      await store.delete(schedule.GroupName, name);
      return {};
    }
    if (method === "GET") {
      const { fireAt: _fireAt, ...view } = schedule;
      return view;
    }
  }
  if (collection === "schedules" && name === undefined && method === "GET") {
    const group = query.get("ScheduleGroup");
    const prefix = query.get("NamePrefix") ?? "";
    const state = query.get("State");
    const matching = [...store.schedules.values()]
      .filter(
        (s) =>
          (!group || s.GroupName === group) && s.Name.startsWith(prefix) && (!state || s.State === state),
      )
      .toSorted((a, b) => (a.Arn < b.Arn ? -1 : 1));
    return page(matching, query, "Schedules", (s) => ({
      Arn: s.Arn,
      Name: s.Name,
      GroupName: s.GroupName,
      State: s.State,
      CreationDate: s.CreationDate,
      LastModificationDate: s.LastModificationDate,
      Target: { Arn: s.Target.Arn },
    }));
  }
  if (collection === "schedule-groups" && name !== undefined) {
    const existing = store.groups.get(name);
    if (method === "POST") {
      if (existing) throw conflict(`Schedule group ${name} already exists.`);
      const group = { Name: name, Arn: groupArn(name), CreationDate: stamp, LastModificationDate: stamp };
      await store.putGroup(group);
      return { ScheduleGroupArn: group.Arn };
    }
    if (!existing) throw notFound(`Schedule group ${name} does not exist.`);
    if (method === "GET") return { ...existing, State: "ACTIVE" };
    if (method === "DELETE") {
      if (name === "default") throw validation("The default schedule group cannot be deleted.");
      await store.deleteGroup(name);
      return {};
    }
  }
  if (collection === "schedule-groups" && name === undefined && method === "GET") {
    const prefix = query.get("NamePrefix") ?? "";
    const matching = [...store.groups.values()].filter((g) => g.Name.startsWith(prefix));
    return page(matching, query, "ScheduleGroups", (g) => ({ ...g, State: "ACTIVE" }));
  }
  throw new AwsError(404, "UnknownOperationException", `No operation ${method} ${path} in this Scheduler.`);
}

/** One page of a listing; NextToken is the index to go on from. */
function page<T>(items: T[], query: URLSearchParams, field: string, view: (item: T) => unknown) {
  const max = Number(query.get("MaxResults") ?? 100);
  if (!Number.isInteger(max) || max < 1 || max > 100) throw validation("MaxResults must be from 1 to 100.");
  const token = query.get("NextToken");
  const start = token === null ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw validation("Invalid NextToken.");
  const slice = items.slice(start, start + max);
  return {
    [field]: slice.map(view),
    ...(start + max < items.length ? { NextToken: String(start + max) } : {}),
  };
}

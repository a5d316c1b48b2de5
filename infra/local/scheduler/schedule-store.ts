// The Scheduler stand-in's schedules and groups, kept across restarts as an append-only journal (one JSON
// line per change, replayed in order at start), so a burst of thousands of creates costs a line each.
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { StoredSchedule } from "./schedule-rules.ts";

export interface StoredGroup {
  Name: string;
  Arn: string;
  CreationDate: number;
  LastModificationDate: number;
}

type JournalLine =
  | { put: StoredSchedule }
  | { delete: { group: string; name: string } }
  | { putGroup: StoredGroup }
  | { deleteGroup: string };

const key = (group: string, name: string) => `${group}/${name}`;

export class ScheduleStore {
  readonly schedules = new Map<string, StoredSchedule>();
  readonly groups = new Map<string, StoredGroup>();
  #writing: Promise<void> = Promise.resolve();

  readonly file: string | undefined;
  private constructor(file: string | undefined) {
    this.file = file;
  }

  /** Opens the journal at `file` (undefined: memory only), replaying what it holds. */
  static async open(file: string | undefined): Promise<ScheduleStore> {
    const store = new ScheduleStore(file);
    if (!file) return store;
    await mkdir(dirname(file), { recursive: true });
    let text = "";
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    for (const line of text.split("\n")) if (line) store.#apply(JSON.parse(line) as JournalLine);
    return store;
  }

  #apply(line: JournalLine): void {
    if ("put" in line) this.schedules.set(key(line.put.GroupName, line.put.Name), line.put);
    else if ("delete" in line) this.schedules.delete(key(line.delete.group, line.delete.name));
    else if ("putGroup" in line) this.groups.set(line.putGroup.Name, line.putGroup);
    else {
      this.groups.delete(line.deleteGroup);
      for (const [id, schedule] of this.schedules)
        if (schedule.GroupName === line.deleteGroup) this.schedules.delete(id);
    }
  }

  /** Applies a change now and has it written in order; `flush` waits for the writes. */
  #record(line: JournalLine): Promise<void> {
    this.#apply(line);
    const { file } = this;
    if (!file) return Promise.resolve();
    this.#writing = this.#writing.then(() => appendFile(file, `${JSON.stringify(line)}\n`));
    return this.#writing;
  }

  get(group: string, name: string): StoredSchedule | undefined {
    return this.schedules.get(key(group, name));
  }
  put(schedule: StoredSchedule): Promise<void> {
    return this.#record({ put: schedule });
  }
  delete(group: string, name: string): Promise<void> {
    return this.#record({ delete: { group, name } });
  }
  putGroup(group: StoredGroup): Promise<void> {
    return this.#record({ putGroup: group });
  }
  deleteGroup(name: string): Promise<void> {
    return this.#record({ deleteGroup: name });
  }
  flush(): Promise<void> {
    return this.#writing;
  }
}

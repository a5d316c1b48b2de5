// The Scheduler and SES v2 stand-ins on their own, through the real SDK clients and the AWS CLI: what they
// refuse (with AWS's error names), the Scheduler's journal across a restart, its retry policy and
// firing twice, SES's verified-identity rule and its throttling above the send rate.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ValidationException,
} from "@aws-sdk/client-scheduler";
import {
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCredentials, localRegion } from "../../infra/local/config.ts";
import { startSchedulerStandIn } from "../../infra/local/scheduler/server.ts";
import { startSesStandIn } from "../../infra/local/ses/server.ts";

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "goodgreets-stand-ins-"));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const functionArn = "arn:aws:lambda:us-east-1:000000000000:function:target";
const target = {
  Arn: functionArn,
  RoleArn: "arn:aws:iam::000000000000:role/scheduler",
  Input: '{"cardId":"one"}',
  RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
};
const schedule = (overrides: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: "card-one",
  ScheduleExpression: "at(2027-03-28T02:30:00)",
  ScheduleExpressionTimezone: "Europe/London",
  FlexibleTimeWindow: { Mode: "OFF" },
  ActionAfterCompletion: "DELETE",
  Target: target,
  ...overrides,
});

describe("the Scheduler stand-in", () => {
  it("refuses what Scheduler refuses, keeps schedules across a restart, retries by the policy and can fire twice", {
    timeout: 60_000,
  }, async () => {
    const clock = { now: Date.parse("2027-03-28T00:00:00Z") };
    const folder = join(dataDir, "scheduler");
    let scheduler = await startSchedulerStandIn({ dataDir: folder, now: () => clock.now });
    const client = () =>
      new SchedulerClient({ endpoint: scheduler.url, region: localRegion, credentials: localCredentials });
    let sdk = client();
    await expect(
      sdk.send(
        new CreateScheduleCommand(
          schedule({ Target: { ...target, RetryPolicy: { MaximumRetryAttempts: 186 } } }),
        ),
      ),
    ).rejects.toThrow(ValidationException);
    await expect(
      sdk.send(
        new CreateScheduleCommand(
          schedule({ Target: { ...target, RetryPolicy: { MaximumEventAgeInSeconds: 59 } } }),
        ),
      ),
    ).rejects.toThrow(/MaximumEventAgeInSeconds must be a whole number from 60 to 86400/);
    await expect(
      sdk.send(new CreateScheduleCommand(schedule({ FlexibleTimeWindow: undefined }))),
    ).rejects.toThrow(/FlexibleTimeWindow is required/);
    await expect(
      sdk.send(new CreateScheduleCommand(schedule({ ScheduleExpressionTimezone: "Mars/Olympus" }))),
    ).rejects.toThrow(ValidationException);
    await expect(sdk.send(new CreateScheduleCommand(schedule({ GroupName: "nowhere" })))).rejects.toThrow(
      ResourceNotFoundException,
    );
    await sdk.send(new CreateScheduleGroupCommand({ Name: "cards" }));
    await sdk.send(new CreateScheduleCommand(schedule({ GroupName: "cards" })));
    await expect(sdk.send(new CreateScheduleCommand(schedule({ GroupName: "cards" })))).rejects.toThrow(
      ConflictException,
    );
    await sdk.send(new CreateScheduleCommand(schedule({ Name: "card-two", GroupName: "cards" })));
    await sdk.send(
      new CreateScheduleCommand(
        schedule({ Name: "card-gap", GroupName: "cards", ScheduleExpression: "at(2027-03-28T01:30:00)" }),
      ),
    );

    // A restart reads the journal back.
    sdk.destroy();
    await scheduler.close();
    scheduler = await startSchedulerStandIn({ dataDir: folder, now: () => clock.now });
    sdk = client();
    const kept = await sdk.send(new GetScheduleCommand({ Name: "card-one", GroupName: "cards" }));
    expect(kept).toMatchObject({
      ScheduleExpression: "at(2027-03-28T02:30:00)",
      Target: { Input: '{"cardId":"one"}' },
    });
    expect(
      (await sdk.send(new ListSchedulesCommand({ GroupName: "cards" }))).Schedules?.map((s) => s.Name),
    ).toEqual(["card-gap", "card-one", "card-two"]);
    // The AWS CLI reads the same API.
    const cli = await promisify(execFile)(
      "aws",
      ["scheduler", "get-schedule", "--name", "card-two", "--group-name", "cards"],
      {
        env: {
          ...process.env,
          AWS_ENDPOINT_URL_SCHEDULER: scheduler.url,
          AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
          AWS_REGION: localRegion,
          AWS_DEFAULT_REGION: localRegion,
        },
      },
    );
    expect(JSON.parse(cli.stdout)).toMatchObject({ Name: "card-two", FlexibleTimeWindow: { Mode: "OFF" } });

    // 28 March 2027 in London: 01:00 GMT becomes 02:00 BST, so 02:30 is 01:30 UTC and 01:30 never comes.
    const calls: unknown[] = [];
    let failures = 1;
    scheduler.setTarget(functionArn, async (event) => {
      calls.push(event);
      if (failures-- > 0) throw new Error("transient");
    });
    scheduler.fireTwice = (s) => s.Name === "card-two";
    clock.now = Date.parse("2027-03-28T01:29:59Z");
    await scheduler.fireDue();
    expect(calls).toEqual([]);
    clock.now = Date.parse("2027-03-28T01:30:00Z");
    await scheduler.fireDue();
    expect(calls).toHaveLength(3); // card-one failed once; card-two fired twice
    expect(scheduler.pendingRetries).toBe(1);
    clock.now += 60_000;
    await scheduler.fireDue();
    expect(calls).toEqual([{ cardId: "one" }, { cardId: "one" }, { cardId: "one" }, { cardId: "one" }]);
    expect(scheduler.pendingRetries).toBe(0);
    // ActionAfterCompletion DELETE: both are gone once they ran.
    await expect(sdk.send(new GetScheduleCommand({ Name: "card-one", GroupName: "cards" }))).rejects.toThrow(
      ResourceNotFoundException,
    );
    expect(scheduler.deadLetters).toEqual([]);

    // A bad signature is refused.
    const stranger = new SchedulerClient({
      endpoint: scheduler.url,
      region: localRegion,
      credentials: { accessKeyId: localCredentials.accessKeyId, secretAccessKey: "wrong" },
    });
    await expect(stranger.send(new ListSchedulesCommand({}))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    stranger.destroy();
    sdk.destroy();
    await scheduler.close();
  });
});

describe("the SES v2 stand-in", () => {
  it("refuses an unverified sender and a malformed address, throttles above the send rate, records send events", async () => {
    const ses = await startSesStandIn({
      verifiedIdentities: ["goodgreets.example"],
      configurationSets: ["events"],
      maxSendRate: 2,
    });
    const client = new SESv2Client({
      endpoint: ses.url,
      region: localRegion,
      credentials: localCredentials,
      maxAttempts: 1,
    });
    const email = (from: string, to: string) =>
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [to] },
        Content: { Simple: { Subject: { Data: "Hi" }, Body: { Text: { Data: "Hello" } } } },
        EmailTags: [{ Name: "card_id", Value: "abc" }],
        ConfigurationSetName: "events",
      });
    await expect(
      client.send(email("Someone <someone@elsewhere.example>", "sam@example.com")),
    ).rejects.toThrow(MessageRejected);
    await expect(client.send(email("cards@goodgreets.example", "not-an-address"))).rejects.toThrow(
      "Email address is not verified. The following identities failed the check in region US-EAST-1: not-an-address",
    );
    const sent = await client.send(email("GoodGreets <cards@goodgreets.example>", "sam@example.com"));
    expect(ses.emails.map((stored) => stored.messageId)).toEqual([sent.MessageId]);
    expect(ses.events.get("events")?.[0]).toMatchObject({
      eventType: "Send",
      mail: { tags: { card_id: ["abc"] } },
    });
    // Two a second: a burst of five gets at most two more through; the rest are throttled and dropped.
    const burst = await Promise.allSettled(
      Array.from({ length: 5 }, () => client.send(email("cards@goodgreets.example", "sam@example.com"))),
    );
    expect(burst.filter((result) => result.status === "rejected").length).toBeGreaterThanOrEqual(3);
    for (const result of burst)
      if (result.status === "rejected") expect(result.reason).toBeInstanceOf(TooManyRequestsException);
    expect(ses.emails.length).toBe(1 + burst.filter((result) => result.status === "fulfilled").length);
    const page = await (await fetch(ses.mailboxUrl)).text();
    expect(page).toContain("sam@example.com");
    client.destroy();
    await ses.close();
  });
});

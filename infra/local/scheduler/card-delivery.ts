// The local stack's delivery wiring: the schedule group, the delivery Lambda, Scheduler's role and the
// dead-letter queue by the ARNs the schedules carry, and the verified sender with its configuration set.
import { localAccountId, localRegion } from "../config.ts";

const prefix = `${localRegion}:${localAccountId}`;

export const localDelivery = {
  groupName: "goodgreets-cards",
  functionArn: `arn:aws:lambda:${prefix}:function:goodgreets-delivery`,
  roleArn: `arn:aws:iam::${localAccountId}:role/goodgreets-scheduler`,
  deadLetterQueueArn: `arn:aws:sqs:${prefix}:goodgreets-delivery-dlq`,
  /** The domain verified in the local SES, and the sender on it. */
  senderDomain: "goodgreets.example",
  from: "GoodGreets <cards@goodgreets.example>",
  configurationSet: "goodgreets-delivery",
} as const;

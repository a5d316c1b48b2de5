// The S3 error an SDK call failed with, for the S3 stand-in tests: its code, HTTP status and message.
import { S3ServiceException } from "@aws-sdk/client-s3";

export async function s3Failure(
  call: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof S3ServiceException)
      return { name: error.name, status: error.$metadata.httpStatusCode, message: error.message };
    throw error;
  }
  throw new Error("expected the S3 call to fail");
}

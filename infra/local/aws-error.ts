// An error a stand-in answers with: the HTTP status and the error code its service's SDK maps to an
// exception (SES, Scheduler and the other REST-JSON services put the code in x-amzn-errortype).
export class AwsError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

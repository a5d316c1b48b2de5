// The Data API's error answers: the exception name the SDKs map by `x-amzn-errortype`, its HTTP status and
// message. https://docs.aws.amazon.com/rdsdataservice/latest/APIReference/CommonErrors.html and each
// operation's Errors section.

const statusOf = {
  BadRequestException: 400,
  DatabaseErrorException: 400,
  StatementTimeoutException: 400,
  UnsupportedResultException: 400,
  // Multistatements and the deprecated `schema` parameter (Aurora Serverless v2 and provisioned clusters).
  // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.differences.html
  ValidationException: 400,
  // The signature checks in front of every AWS JSON service.
  MissingAuthenticationTokenException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  TransactionNotFoundException: 404,
  NotFoundException: 404,
  InternalServerErrorException: 500,
} as const;

export type DataApiErrorName = keyof typeof statusOf;

export class DataApiError extends Error {
  readonly errorName: DataApiErrorName;
  constructor(errorName: DataApiErrorName, message: string) {
    super(message);
    this.errorName = errorName;
  }
  get status(): number {
    return statusOf[this.errorName];
  }
}

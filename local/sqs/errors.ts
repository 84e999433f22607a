/**
 * SQS errors as the JSON protocol reports them. The SDK (awsQueryCompatible) resolves the
 * exception class from the `x-amzn-query-error` header first (matching the model's
 * awsQueryError code, e.g. `AWS.SimpleQueueService.NonExistentQueue` → QueueDoesNotExist)
 * and only then from `__type`, so both must agree.
 */

interface ErrorSpec {
  /** Legacy query-protocol code; also what batch `Failed[].Code` carries. */
  queryCode: string;
  status: number;
  /** Namespace of `__type`; SQS-modelled errors live in com.amazonaws.sqs. */
  namespace?: string;
}

const SPECS = {
  QueueDoesNotExist: { queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { queryCode: 'QueueAlreadyExists', status: 400 },
  EmptyBatchRequest: { queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  TooManyEntriesInBatchRequest: { queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', status: 400 },
  BatchEntryIdsNotDistinct: { queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400 },
  InvalidBatchEntryId: { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  BatchRequestTooLong: { queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  ReceiptHandleIsInvalid: { queryCode: 'ReceiptHandleIsInvalid', status: 404 },
  MessageNotInflight: { queryCode: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  UnsupportedOperation: { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  InvalidAttributeName: { queryCode: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { queryCode: 'InvalidAttributeValue', status: 400 },
  InvalidMessageContents: { queryCode: 'InvalidMessageContents', status: 400 },
  // Not in the SDK model: surfaces as SQSServiceException with this `name`.
  InvalidParameterValue: { queryCode: 'InvalidParameterValue', status: 400 },
  MissingParameter: { queryCode: 'MissingParameter', status: 400 },
  InvalidAction: { queryCode: 'InvalidAction', status: 400 },
  RequestEntityTooLarge: { queryCode: 'RequestEntityTooLarge', status: 413 },
  SerializationException: {
    queryCode: 'SerializationException',
    status: 400,
    namespace: 'com.amazon.coral.service',
  },
  InternalError: { queryCode: 'InternalError', status: 500 },
} satisfies Record<string, ErrorSpec>;

export type SqsErrorCode = keyof typeof SPECS;

export class SqsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly queryCode: string;
  readonly typeName: string;
  readonly senderFault: boolean;

  constructor(code: SqsErrorCode, message: string) {
    super(message);
    const spec: ErrorSpec = SPECS[code];
    this.name = 'SqsError';
    this.code = code;
    this.status = spec.status;
    this.queryCode = spec.queryCode;
    this.typeName = `${spec.namespace ?? 'com.amazonaws.sqs'}#${code}`;
    this.senderFault = spec.status < 500;
  }
}

export const queueDoesNotExist = (): SqsError =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');

export const invalidParameter = (message: string): SqsError => new SqsError('InvalidParameterValue', message);

export const invalidValue = (name: string, value: unknown, reason: string): SqsError =>
  invalidParameter(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);

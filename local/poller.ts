/**
 * The local event source mapping: long-polls the delivery queue and invokes the
 * `deliver` function through serverless-offline's Lambda API, exactly as the `sqs`
 * event in serverless.yml says (batch size, batching window, ReportBatchItemFailures).
 * Successful records are deleted; reported failures (or a failed invocation) are left
 * to reappear after the visibility timeout, so redrive to the DLQ works as in AWS.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { SqsTrigger } from './serviceDefinition';

/** Invokes the function with an SQS event; returns its JSON reply or the function error. */
export type Invoker = (event: { Records: ReturnType<typeof toSqsRecord>[] }) => Promise<{ payload: unknown; functionError?: string }>;

/** The real path: serverless-offline's Lambda Invoke API, so `deliver` runs bundled, with its env. */
export function lambdaInvoker(lambda: LambdaClient, functionName: string): Invoker {
  return async (event) => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }));
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    return { payload: text ? (JSON.parse(text) as unknown) : null, ...(out.FunctionError ? { functionError: out.FunctionError } : {}) };
  };
}

export interface PollerOptions {
  sqs: SQSClient;
  invoke: Invoker;
  queueUrl: string;
  queueArn: string;
  trigger: SqsTrigger;
  region: string;
  /** Concurrent pollers, like the several pollers of a real event source mapping. */
  concurrency?: number;
  log: (line: string, fields?: Record<string, unknown>) => void;
}

export function toSqsRecord(message: Message, queueArn: string, region: string) {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: message.Attributes ?? {},
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          stringValue: value.StringValue,
          binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
          stringListValues: [],
          binaryListValues: [],
          dataType: value.DataType,
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** Which message ids to keep for retry, from the function's reply. */
export function failedIds(payload: unknown, all: string[], reportBatchItemFailures: boolean): string[] {
  if (!reportBatchItemFailures) return [];
  if (payload === null || typeof payload !== 'object' || !('batchItemFailures' in payload)) return [];
  const failures = (payload as { batchItemFailures: unknown }).batchItemFailures;
  if (!Array.isArray(failures)) return all;
  const ids: string[] = [];
  for (const f of failures) {
    const id = f && typeof f === 'object' && 'itemIdentifier' in f ? (f as { itemIdentifier: unknown }).itemIdentifier : undefined;
    // An unusable identifier fails the whole batch, as Lambda does.
    if (typeof id !== 'string' || id === '' || !all.includes(id)) return all;
    ids.push(id);
  }
  return ids;
}

export function startPoller(opts: PollerOptions): { stop: () => Promise<void> } {
  let stopping = false;
  const abort = new AbortController();

  async function receiveBatch(): Promise<Message[]> {
    const batch: Message[] = [];
    const windowEnds = Date.now() + opts.trigger.maximumBatchingWindowSeconds * 1000;
    while (!stopping && batch.length < opts.trigger.batchSize) {
      const waitSeconds = batch.length === 0 ? 20 : Math.max(0, Math.ceil((windowEnds - Date.now()) / 1000));
      if (batch.length > 0 && Date.now() >= windowEnds) break;
      const out = await opts.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: opts.queueUrl,
          MaxNumberOfMessages: Math.min(10, opts.trigger.batchSize - batch.length),
          WaitTimeSeconds: waitSeconds,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        { abortSignal: abort.signal },
      );
      const messages = out.Messages ?? [];
      batch.push(...messages);
      if (messages.length === 0 && batch.length > 0) break;
    }
    return batch;
  }

  async function invoke(batch: Message[]): Promise<void> {
    const ids = batch.map((m) => m.MessageId ?? '');
    const event = { Records: batch.map((m) => toSqsRecord(m, opts.queueArn, opts.region)) };
    let keep = ids;
    try {
      const out = await opts.invoke(event);
      if (out.functionError) {
        opts.log('deliver invocation failed; batch left for retry', { size: batch.length, error: out.functionError });
      } else {
        keep = failedIds(out.payload, ids, opts.trigger.reportBatchItemFailures);
      }
    } catch (error) {
      opts.log('deliver invocation error; batch left for retry', { error: String(error) });
    }
    const done = batch.filter((m) => !keep.includes(m.MessageId ?? ''));
    if (done.length > 0) {
      await opts.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: opts.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      try {
        const batch = await receiveBatch();
        if (batch.length > 0) await invoke(batch);
      } catch (error) {
        if (stopping) return;
        opts.log('poller error', { error: String(error) });
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  const loops = Array.from({ length: opts.concurrency ?? 2 }, () => loop());
  return {
    async stop() {
      stopping = true;
      abort.abort();
      await Promise.allSettled(loops);
    },
  };
}

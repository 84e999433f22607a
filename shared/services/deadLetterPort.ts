/** The dead-letter queue as the reconciler consumes it; shared/adapters/sqs/deadLetters.ts implements it. */
export interface DeadLetter {
  body: string;
  receiptHandle: string;
}

export interface DeadLetterQueue {
  receive(max: number): Promise<DeadLetter[]>;
  remove(letter: DeadLetter): Promise<void>;
}

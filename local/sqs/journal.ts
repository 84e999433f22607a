/**
 * Durability for the local SQS emulator, as SQS itself has: every change to a queue or a
 * message (send, receive — visibility and receive count —, delete, visibility change,
 * redrive, purge) is appended to a journal under LOCAL_DATA_DIR before the request is
 * answered, and replayed at the next start. Appends are synchronous writes to the OS: a
 * killed process (SIGKILL) loses nothing it answered; what it had not answered — the
 * requests in flight — is all a hard kill can lose. Replay compacts the journal to one
 * line per live queue and message; it is compacted again when it grows far beyond that.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredMessage } from './message';

export interface JournalQueue {
  name: string;
  attributes: Record<string, string>;
  createdAt: number;
  modifiedAt: number;
}

export type JournalEntry =
  | { op: 'queue'; queue: JournalQueue }
  | { op: 'dropQueue'; name: string }
  | { op: 'purge'; name: string }
  | { op: 'put'; queue: string; message: StoredMessage }
  | { op: 'del'; queue: string; id: string };

export interface ReplayedQueue extends JournalQueue {
  messages: Map<string, StoredMessage>;
}

const FILE = 'sqs-journal.jsonl';
/** Compact when the journal holds this many more lines than live state needs. */
const COMPACT_SLACK = 20_000;

export class QueueJournal {
  private readonly file: string;
  private lines = 0;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, FILE);
  }

  /** The state the journal describes; a torn last line (a kill mid-write) is skipped. */
  replay(): Map<string, ReplayedQueue> {
    const queues = new Map<string, ReplayedQueue>();
    if (!existsSync(this.file)) return queues;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        continue;
      }
      apply(queues, entry);
    }
    return queues;
  }

  append(entry: JournalEntry): void {
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    this.lines += 1;
  }

  /** True when the journal is worth rewriting for a state of `live` lines. */
  needsCompaction(live: number): boolean {
    return this.lines > live + COMPACT_SLACK;
  }

  /** Rewrites the journal as one line per queue and message (atomically: temp file + rename). */
  compact(queues: Iterable<ReplayedQueue>): void {
    const out: string[] = [];
    for (const q of queues) {
      const { messages, ...queue } = q;
      out.push(JSON.stringify({ op: 'queue', queue } satisfies JournalEntry));
      for (const message of messages.values()) out.push(JSON.stringify({ op: 'put', queue: q.name, message } satisfies JournalEntry));
    }
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, out.length > 0 ? `${out.join('\n')}\n` : '');
    const fd = openSync(temp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, this.file);
    this.lines = out.length;
  }
}

function apply(queues: Map<string, ReplayedQueue>, entry: JournalEntry): void {
  switch (entry.op) {
    case 'queue': {
      const existing = queues.get(entry.queue.name);
      queues.set(entry.queue.name, { ...entry.queue, messages: existing?.messages ?? new Map() });
      return;
    }
    case 'dropQueue':
      queues.delete(entry.name);
      return;
    case 'purge':
      queues.get(entry.name)?.messages.clear();
      return;
    case 'put':
      queues.get(entry.queue)?.messages.set(entry.message.id, entry.message);
      return;
    case 'del':
      queues.get(entry.queue)?.messages.delete(entry.id);
      return;
  }
}

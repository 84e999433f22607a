/** Decoding stored items: a stored item that does not have its kind's shape is an error, never a silent half-object. */
import type * as z from 'zod/mini';

/** A stored item that does not decode as its kind. Not retried into success: someone must look at the item. */
export class CorruptItemError extends Error {
  override readonly name = 'CorruptItemError';
  constructor(
    readonly kind: string,
    readonly key: string,
    readonly problems: string,
  ) {
    super(`stored ${kind} item ${key} is corrupt: ${problems}`);
  }
}

const keyOf = (item: Record<string, unknown>) => `${String(item.pk)} / ${String(item.sk)}`;

export const corruptItem = (kind: string, item: Record<string, unknown>, problems: string) => new CorruptItemError(kind, keyOf(item), problems);

/** Parses `value` (an item, or part of one) with its kind's schema; throws CorruptItemError naming the item. */
export function decode<S extends z.ZodMiniType>(schema: S, kind: string, value: unknown, item: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(item)'}: ${i.message}`).join('; ');
  throw corruptItem(kind, item, problems);
}

import { describe, expect, it } from 'vitest';
import { failedIds } from '../../local/poller';

describe('local event source mapping: batchItemFailures', () => {
  const all = ['a', 'b', 'c'];
  it('keeps exactly the reported failures', () => {
    expect(failedIds({ batchItemFailures: [{ itemIdentifier: 'b' }] }, all, true)).toEqual(['b']);
    expect(failedIds({ batchItemFailures: [] }, all, true)).toEqual([]);
  });
  it('fails the whole batch on an unusable identifier, as Lambda does', () => {
    expect(failedIds({ batchItemFailures: [{ itemIdentifier: '' }] }, all, true)).toEqual(all);
    expect(failedIds({ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, all, true)).toEqual(all);
    expect(failedIds({ batchItemFailures: 'nope' }, all, true)).toEqual(all);
  });
  it('treats a reply without batchItemFailures as full success', () => {
    expect(failedIds(null, all, true)).toEqual([]);
    expect(failedIds({ batchItemFailures: [{ itemIdentifier: 'b' }] }, all, false)).toEqual([]);
  });
});

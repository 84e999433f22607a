import { describe, expect, it } from 'vitest';
import { chatbotStatusOf } from '../../shared/domain/chatbotStatus';

const now = Date.parse('2026-12-06T12:00:00Z');

describe('chatbotStatusOf', () => {
  it('counts only sends still counting, per window, and shows pause and flush only while ahead', () => {
    const status = chatbotStatusOf(
      {
        windows: [
          { limit: 20, windowSeconds: 60, slotsUntil: [now - 1, now + 1, now + 50_000] },
          { limit: 3, windowSeconds: 1, slotsUntil: [now + 1, now + 2, now + 3, now + 4] },
        ],
        pausedUntil: now + 10_000,
        flushDueAt: now + 12_000,
        waiting: 4,
      },
      now,
    );
    expect(status).toEqual({
      windows: [
        { limit: 20, windowSeconds: 60, used: 2 },
        { limit: 3, windowSeconds: 1, used: 3 },
      ],
      pausedUntil: '2026-12-06T12:00:10.000Z',
      waiting: 4,
      nextFlushAt: '2026-12-06T12:00:12.000Z',
    });
  });

  it('an idle bot: no pause, no flush, nothing waiting', () => {
    expect(chatbotStatusOf({ windows: [{ limit: 20, windowSeconds: 60, slotsUntil: [] }], pausedUntil: now - 1, flushDueAt: now + 5, waiting: 0 }, now)).toEqual({
      windows: [{ limit: 20, windowSeconds: 60, used: 0 }],
      waiting: 0,
    });
  });
});

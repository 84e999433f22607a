import { describe, expect, it } from 'vitest';
import { parseQueueMessage } from '../../shared/services/queueMessage';

describe('the delivery queue message, parsed once at the worker', () => {
  it('takes every kind of message the service sends, old ones included, and drops unknown fields', () => {
    expect(parseQueueMessage('{"kind":"delivery","eventId":"e1","instanceId":"cri-a","ruleId":"crecr-1","expect":2,"extra":true}')).toEqual({
      kind: 'delivery',
      eventId: 'e1',
      instanceId: 'cri-a',
      ruleId: 'crecr-1',
      expect: 2,
    });
    expect(parseQueueMessage('{"kind":"flush","botId":"b","method":"feishu","notBefore":1}')).toEqual({ kind: 'flush', botId: 'b', method: 'feishu', notBefore: 1 });
    expect(parseQueueMessage('{"eventId":"e1","ruleId":"crecr-1"}')).toEqual({ eventId: 'e1', ruleId: 'crecr-1' });
  });

  it.each([
    ['not JSON', '{"kind":', /not JSON/],
    ['an array', '[]', /malformed/],
    ['null', 'null', /malformed/],
    ['an unknown kind', '{"kind":"retry"}', /kind/],
    ['an unknown chat method', '{"kind":"flush","botId":"b","method":"teams"}', /method/],
    ['a number where an id belongs', '{"eventId":42,"ruleId":"r"}', /eventId/],
    ['a string where a count belongs', '{"eventId":"e","ruleId":"r","expect":"2"}', /expect/],
  ])('refuses %s with a message naming the problem', (_what, body, message) => {
    expect(() => parseQueueMessage(body)).toThrow(message);
  });
});

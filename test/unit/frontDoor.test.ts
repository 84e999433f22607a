/** The local front door hands serverless-offline bodies that are not valid UTF-8 as binary, and nothing else. */
import { describe, expect, it } from 'vitest';
import { forwardedHeaders, isValidUtf8 } from '../../local/frontDoor';

describe('front door', () => {
  it('recognises invalid UTF-8: stray bytes, overlongs, surrogates, truncated sequences', () => {
    expect(isValidUtf8(Buffer.from('{"a":"café ✓ 𝄞"}'))).toBe(true);
    for (const bad of [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98]]) {
      expect(isValidUtf8(Buffer.concat([Buffer.from('{"a":"'), Buffer.from(bad), Buffer.from('"}')])), bad.join(',')).toBe(false);
    }
  });

  it('marks only such bodies binary, keeping their media type first', () => {
    const headers = { 'content-type': 'application/cloudevents+json', authorization: 'Bearer x' };
    expect(forwardedHeaders(headers, Buffer.from('{"ok":true}'))).toBe(headers);
    expect(forwardedHeaders(headers, Buffer.alloc(0))).toBe(headers);
    const marked = forwardedHeaders(headers, Buffer.from([0x7b, 0xff, 0x7d]));
    expect(marked).toEqual({ ...headers, 'content-type': 'application/cloudevents+json; local-body=application/octet-stream' });
    expect(forwardedHeaders({}, Buffer.from([0xff]))['content-type']).toBe('application/octet-stream');
    // A bare JSON string too: serverless-offline would hand the function its content unquoted.
    expect(forwardedHeaders(headers, Buffer.from(' "x"'))['content-type']).toBe('application/cloudevents+json; local-body=application/octet-stream');
    expect(forwardedHeaders(headers, Buffer.from('{"x":"y"}'))).toBe(headers);
  });
});

/** The pure pieces of the registry dialects (SPEC §11): names, tags, times, media types, statuses, the registry of dialects. */
import { describe, expect, it } from 'vitest';
import { SOURCE_KINDS } from '../../shared/domain/sources';
import { isManifestTarget } from '../../shared/sources/distribution';
import { finalStatus, parseNameTag } from '../../shared/sources/harbor';
import { isoTime, itemId, splitRepository, tagOrDigest } from '../../shared/sources/mapping';
import { SOURCE_DIALECTS } from '../../shared/sources/registry';

describe('registry dialect helpers', () => {
  it('split a repository path at its last / and use library without one', () => {
    expect(splitRepository('library/test')).toEqual({ namespace: 'library', repoName: 'test' });
    expect(splitRepository('hello-world')).toEqual({ namespace: 'library', repoName: 'hello-world' });
    expect(splitRepository('team/sub/api')).toEqual({ namespace: 'team/sub', repoName: 'api' });
  });

  it('use the digest as the tag only when there is no tag', () => {
    expect(tagOrDigest('v1', 'sha256:ab')).toBe('v1');
    expect(tagOrDigest('', 'sha256:ab')).toBe('sha256:ab');
    expect(tagOrDigest(null, undefined)).toBeUndefined();
  });

  it('read RFC 3339 times at any precision and offset, and nothing else', () => {
    expect(isoTime('2016-03-09T14:44:26.402973972-08:00')).toBe('2016-03-09T22:44:26.402Z');
    expect(isoTime('2019-11-16T01:54:34Z')).toBe('2019-11-16T01:54:34.000Z');
    expect(isoTime('yesterday')).toBeUndefined();
    expect(isoTime('2019-13-45T01:54:34Z')).toBeUndefined();
  });

  it('index ids only when one payload yields several events', () => {
    expect(itemId('abc', 0, false)).toBe('abc');
    expect(itemId('abc', 2, true)).toBe('abc:2');
  });

  it("parse Harbor's replication name_tag forms", () => {
    expect(parseNameTag('alpine [1 item(s) in total]')).toEqual({ repository: 'alpine', tag: '*' });
    expect(parseNameTag('alpine:3.8')).toEqual({ repository: 'alpine', tag: '3.8' });
    expect(parseNameTag('team/api@sha256:ab')).toEqual({ repository: 'team/api', tag: 'sha256:ab' });
    expect(parseNameTag('host:5000/team/api')).toEqual({ repository: 'host:5000/team/api', tag: '*' });
  });

  it("map Harbor's job and task statuses to final statuses, and nothing unfinished", () => {
    expect(['Success', 'Succeed', 'Failed', 'Error', 'Stopped', 'Running', '', undefined].map(finalStatus)).toEqual([
      'SUCCESS',
      'SUCCESS',
      'FAILED',
      'FAILED',
      'CANCELED',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('tell manifests from blobs by media type, or by URL without one', () => {
    expect(isManifestTarget({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json' })).toBe(true);
    expect(isManifestTarget({ mediaType: 'application/vnd.oci.image.index.v1+json' })).toBe(true);
    expect(isManifestTarget({ mediaType: 'application/vnd.docker.container.image.rootfs.diff+x-gtar' })).toBe(false);
    expect(isManifestTarget({ mediaType: 'application/vnd.oci.image.config.v1+json' })).toBe(false);
    expect(isManifestTarget({ url: 'https://r/v2/a/manifests/v1' })).toBe(true);
    expect(isManifestTarget({ url: 'https://r/v2/a/blobs/sha256:ab' })).toBe(false);
  });

  it('have one dialect per source kind, each under its own kind', () => {
    expect(Object.keys(SOURCE_DIALECTS).sort()).toEqual([...SOURCE_KINDS].sort());
    for (const kind of SOURCE_KINDS) expect(SOURCE_DIALECTS[kind].kind).toBe(kind);
  });
});

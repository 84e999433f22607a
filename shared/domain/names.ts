/**
 * Identifier and name grammars shared by path parameters, request bodies and events
 * (SPEC §4), as small zod/mini string schemas.
 */
import * as z from 'zod/mini';
import { INSTANCE_ID_PATTERN, KEY_ID_PATTERN } from './apiKeys';

export const RULE_ID_PATTERN = /^crecr-[a-z0-9]{16}$/;
/** OCI distribution path component. */
export const OCI_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** CloudEvents `id` as this service accepts it (also the {eventId} path parameter). */
export const EVENT_ID_PATTERN = /^[\x20-\x7E]{1,128}$/;

/**
 * A string that must match `pattern`, marked free of side effects: esbuild keeps every
 * top-level call it cannot prove pure (`.check()` is a method call), so without the mark
 * a bundle that reaches this module for one schema (delivery, through the event helpers)
 * would build all of them. Arguments stay literals for the same reason.
 */
// @__NO_SIDE_EFFECTS__
function matching(pattern: RegExp, message: string, maxLength?: number) {
  const checks = [z.regex(pattern, message)];
  return z.string().check(...(maxLength === undefined ? checks : [z.maxLength(maxLength, `at most ${maxLength} characters`), ...checks]));
}

export const instanceIdSchema = matching(INSTANCE_ID_PATTERN, 'must match ^cri-[a-z0-9]{4,32}$');
export const keyIdSchema = matching(KEY_ID_PATTERN, 'must match ^ak-[a-z0-9]{16}$');
export const ruleIdSchema = matching(RULE_ID_PATTERN, 'must match ^crecr-[a-z0-9]{16}$');
export const eventIdSchema = matching(EVENT_ID_PATTERN, 'must be 1–128 printable ASCII characters');
export const regionIdSchema = matching(/^[a-z]{2,3}-[a-z0-9-]{2,40}$/, 'must match ^[a-z]{2,3}-[a-z0-9-]{2,40}$');
export const ruleNameSchema = matching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$');
export const ociNameSchema = matching(OCI_COMPONENT, 'must be an OCI path component: [a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*', 128);

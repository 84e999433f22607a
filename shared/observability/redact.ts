/**
 * Secret redaction for anything that leaves the process as text (log lines).
 * Two nets: attribute names that hold secrets, and value patterns that look like
 * our API keys, bearer tokens, chat webhook credentials (DingTalk access tokens, WeCom
 * keys, Feishu hook ids, Slack webhook paths) or signing secrets. Values
 * registered at run time (the admin key) are scrubbed wherever they appear.
 */
export const REDACTED = '[REDACTED]';

const SECRET_NAME = /^(authorization|cookie|x-api-key|api[-_]?key|apikey|secret|.*secret|.*token|password|sign|signature|webhook-signature|key(hash)?)$/i;

const SECRET_PATTERNS: readonly RegExp[] = [
  /rek_ak-[a-z0-9]{16}_[A-Za-z0-9_-]+/g, // our API keys
  /rst_src-[a-z0-9]{16}_[A-Za-z0-9_-]+/g, // registry source tokens
  /\bBearer\s+[^\s"',]+/gi,
  /(access_token=)[^&\s"']+/gi,
  /(sign=)[^&\s"']+/gi,
  /whsec_[A-Za-z0-9+/=]+/g,
  /\bSEC[0-9a-f]{16,}/g, // DingTalk signing secrets
  /([?&]key=)[^&\s"']+/gi, // WeCom robot keys
  /(\/bot\/v2\/hook\/)[^/?\s"']+/gi, // Feishu/Lark hook ids
  /(hooks\.slack\.com\/services\/)[^?\s"']+/gi, // Slack webhook paths
];

const registered = new Set<string>();

/** Scrub this exact value from every later log line (e.g. the admin key). */
export function registerSecret(value: string): void {
  if (value.length >= 8) registered.add(value);
}

export function redactString(text: string): string {
  let out = text;
  for (const value of registered) {
    if (out.includes(value)) out = out.split(value).join(REDACTED);
  }
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match: string, prefix: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return out;
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** A JSON.stringify replacer: secret-named keys and secret-looking strings are replaced. */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== '' && isSecretName(key) && value !== undefined && value !== null && typeof value !== 'boolean') {
    return REDACTED;
  }
  if (typeof value === 'string') return redactString(value);
  return value;
}

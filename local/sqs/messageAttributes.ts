/**
 * Message attributes: validation of the JSON shape and the checksums SQS returns.
 * MD5OfMessageAttributes follows the documented binary encoding (the one the Java SDK
 * verifies): names sorted; per attribute 4-byte big-endian length + UTF-8 name,
 * length + data type, one transport byte (1 string, 2 binary, 3/4 lists), length + value.
 */
import { createHash } from 'node:crypto';
import { SqsError, invalidParameter } from './errors';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  /** Base64, exactly as it travels in the JSON protocol. */
  BinaryValue?: string;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

const MAX_ATTRIBUTES = 10;
const NAME_PATTERN = /^[\p{L}\p{N}_\-.]{1,256}$/u;
const DATA_TYPE_PATTERN = /^(String|Number|Binary)(\.[A-Za-z0-9_\-.]+)?$/;
const NUMBER_PATTERN = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const BASE64_PATTERN = /^[A-Za-z0-9+/]*={0,2}$/;

export const md5Hex = (data: string | Uint8Array): string => createHash('md5').update(data).digest('hex');

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkName(name: string, param: string): void {
  const lower = name.toLowerCase();
  const reserved = lower.startsWith('aws.') || lower.startsWith('amazon.');
  if (!NAME_PATTERN.test(name) || reserved || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
    throw invalidParameter(`${param} name '${name}' is invalid.`);
  }
}

function parseValue(name: string, raw: unknown, param: string): MessageAttributeValue {
  if (!isRecord(raw)) throw invalidParameter(`${param} '${name}' must be an object.`);
  const { DataType, StringValue, BinaryValue, StringListValues, BinaryListValues } = raw;
  if (typeof DataType !== 'string' || DataType === '') {
    throw invalidParameter(`The message attribute '${name}' must contain a non-empty message attribute type.`);
  }
  const base = DATA_TYPE_PATTERN.exec(DataType)?.[1];
  if (base === undefined || DataType.length > 256) {
    throw invalidParameter(`The type of message attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
  }
  // AWS reserves the list members; accepting them would yield checksums no real queue produces.
  const hasList = (Array.isArray(StringListValues) && StringListValues.length > 0) ||
    (Array.isArray(BinaryListValues) && BinaryListValues.length > 0);
  if (hasList) throw invalidParameter(`Message attribute list values in '${name}' are not supported.`);
  const emptyValue = () =>
    invalidParameter(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`);
  if (base === 'Binary') {
    if (typeof BinaryValue !== 'string' || BinaryValue === '') throw emptyValue();
    if (!BASE64_PATTERN.test(BinaryValue)) throw invalidParameter(`The message attribute '${name}' has an invalid binary value.`);
    return { DataType, BinaryValue };
  }
  if (typeof StringValue !== 'string' || StringValue === '') throw emptyValue();
  if (base === 'Number' && !NUMBER_PATTERN.test(StringValue)) {
    throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number.`);
  }
  return { DataType, StringValue };
}

/** Narrows a JSON `MessageAttributes` / `MessageSystemAttributes` map; undefined → empty. */
export function parseMessageAttributes(raw: unknown, param = 'MessageAttribute'): MessageAttributes {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw invalidParameter(`${param}s must be a map.`);
  const names = Object.keys(raw);
  if (names.length > MAX_ATTRIBUTES) {
    throw invalidParameter(`Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  }
  // fromEntries defines own properties, so a '__proto__' name cannot touch the prototype.
  return Object.fromEntries(names.map((name) => {
    checkName(name, param);
    return [name, parseValue(name, raw[name], param)];
  }));
}

/** System attributes only allow AWSTraceHeader (a String). */
export function parseSystemAttributes(raw: unknown): MessageAttributes {
  const attrs = parseMessageAttributes(raw, 'MessageSystemAttribute');
  for (const [name, value] of Object.entries(attrs)) {
    if (name !== 'AWSTraceHeader' || value.DataType !== 'String') {
      throw new SqsError('InvalidParameterValue', `Message system attribute '${name}' is not supported.`);
    }
  }
  return attrs;
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

/** Undefined for an empty map: SQS then omits the MD5 field altogether. */
export function md5OfAttributes(attrs: MessageAttributes): string | undefined {
  const names = Object.keys(attrs).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const value = attrs[name];
    if (value === undefined) continue;
    parts.push(lengthPrefixed(Buffer.from(name, 'utf8')), lengthPrefixed(Buffer.from(value.DataType, 'utf8')));
    if (value.StringValue !== undefined) {
      parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(value.StringValue, 'utf8')));
    } else if (value.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]), lengthPrefixed(Buffer.from(value.BinaryValue, 'base64')));
    }
  }
  return md5Hex(Buffer.concat(parts));
}

/** Bytes counted against MaximumMessageSize: name + type + value of every attribute. */
export function attributesSize(attrs: MessageAttributes): number {
  let size = 0;
  for (const [name, value] of Object.entries(attrs)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType, 'utf8');
    if (value.StringValue !== undefined) size += Buffer.byteLength(value.StringValue, 'utf8');
    if (value.BinaryValue !== undefined) size += Buffer.from(value.BinaryValue, 'base64').length;
  }
  return size;
}

/** Characters SQS accepts in a body: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF. */
export function hasOnlyValidCharacters(text: string): boolean {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!ok) return false;
  }
  return true;
}

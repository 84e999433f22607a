/**
 * Named application errors. Each carries the SPEC §4 error code and HTTP status, so
 * the HTTP layer can shape the envelope without knowing which use case threw it.
 * Messages are written for API users: they never contain secrets or internals.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: ErrorDetail[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    status: number,
    message: string,
    options: { details?: ErrorDetail[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = code;
    this.code = code;
    this.status = status;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export const validationFailed = (details: ErrorDetail[], message = 'The request is not valid.'): AppError =>
  new AppError('ValidationFailed', 400, message, { details });

export const malformedJson = (): AppError =>
  new AppError('MalformedJson', 400, 'The request body is not valid JSON.');

export const payloadTooLarge = (limitBytes: number): AppError =>
  new AppError('PayloadTooLarge', 413, `The request body exceeds ${limitBytes} bytes.`);

export const unsupportedMediaType = (): AppError =>
  new AppError('UnsupportedMediaType', 415, 'The request body must be JSON (content-type: application/json).');

export const unauthorized = (message = 'A valid API key is required (Authorization: Bearer <key>).'): AppError =>
  new AppError('Unauthorized', 401, message, {
    headers: { 'www-authenticate': 'Bearer' },
  });

export const forbidden = (message = 'This API key is not allowed to perform this operation.'): AppError =>
  new AppError('Forbidden', 403, message);

export const notFound = (code = 'NotFound', message = 'No such resource.'): AppError => new AppError(code, 404, message);

export const methodNotAllowed = (allowed: readonly string[]): AppError =>
  new AppError('MethodNotAllowed', 405, `This resource supports only ${allowed.join(', ')}.`, {
    headers: { allow: allowed.join(', ') },
  });

export const notImplemented = (what: string): AppError =>
  new AppError('NotImplemented', 501, `${what} is not available in this version of the service yet.`);

export const internalError = (requestId: string): AppError =>
  new AppError('InternalError', 500, `An unexpected error occurred. Quote request id ${requestId} when reporting it.`);

export const ruleNotFound = (ruleId: string): AppError => new AppError('RuleNotFound', 404, `No rule ${ruleId} on this instance.`);

export const ruleNameConflict = (name: string): AppError =>
  new AppError('RuleNameConflict', 409, `A rule named ${name} already exists on this instance.`);

export const ruleLimitExceeded = (regionId: string, max: number): AppError =>
  new AppError(
    'RuleLimitExceeded',
    409,
    `Region ${regionId} already has the maximum of ${max} rules. The quota is shared by every instance in the region: delete a rule there, on any instance, to free a slot.`,
  );

export const regionNotSupported = (regionId: string): AppError =>
  new AppError('RegionNotSupported', 400, `Event rules cannot be created in region ${regionId}.`);

export const targetNotAllowed = (host: string, reason: string): AppError =>
  new AppError('TargetNotAllowed', 400, `Notification target host ${host} is not allowed (${reason} address).`);

export const preconditionFailed = (): AppError =>
  new AppError('PreconditionFailed', 412, 'The rule has changed since the ETag given in If-Match.');

export const rateLimited = (retryAfterSeconds: number, what = 'Too many requests for this API key'): AppError =>
  new AppError('RateLimited', 429, `${what}; try again in ${retryAfterSeconds} s.`, {
    headers: { 'retry-after': String(retryAfterSeconds) },
  });

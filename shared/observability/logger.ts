/**
 * The one structured JSON logger (Powertools). Every line passes the redacting
 * replacer, so a secret that slips into an attribute or message is still scrubbed.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redact';

export type AppLogger = Logger;

export function createLogger(level = process.env.LOG_LEVEL ?? 'INFO'): Logger {
  return new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'registry-events',
    logLevel: level.toUpperCase() as 'INFO',
    jsonReplacerFn: redactingReplacer,
  });
}

export const logger = createLogger();

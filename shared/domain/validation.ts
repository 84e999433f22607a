/**
 * zod issues → SPEC §4 `details[]` (dot paths; one entry per unknown field), and the
 * language those details speak. Every schema here is built with zod/mini, which ships
 * no locale: without one each message would read "Invalid input". The English locale is
 * the one zod's classic API installs, so messages stay the sentences they always were.
 * It is installed here because every module that reports issues imports this one, so it
 * runs before the first parse.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import type { ErrorDetail } from './errors';

z.config(en());

export function issuesToDetails(issues: readonly z.core.$ZodIssue[], prefix: string[] = []): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of issues) {
    const base = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) details.push({ path: [...base, key].join('.'), message: 'unknown field' });
    } else {
      details.push({ path: base.join('.'), message: issue.message });
    }
  }
  return details;
}

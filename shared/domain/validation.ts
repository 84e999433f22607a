/** zod issues → SPEC §4 `details[]` (dot paths; one entry per unknown field). */
import type * as z from 'zod';
import type { ErrorDetail } from './errors';

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


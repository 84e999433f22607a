/** `npm run generate:api-types`: rewrites test/generated/api.ts from the OpenAPI document. */
import { writeFileSync } from 'node:fs';
import { API_TYPES_FILE, generateApiTypes } from './apiTypes';

writeFileSync(API_TYPES_FILE, await generateApiTypes());

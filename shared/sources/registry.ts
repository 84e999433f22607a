/** Every registry dialect, by source kind: adding a registry is one file plus one line here. */
import type { SourceKind } from '../domain/sources';
import { acrDialect } from './acr';
import type { SourceDialect } from './dialect';
import { distributionDialect } from './distribution';
import { ecrDialect } from './ecr';
import { harborDialect } from './harbor';

export const SOURCE_DIALECTS: Readonly<Record<SourceKind, SourceDialect>> = {
  harbor: harborDialect,
  distribution: distributionDialect,
  ecr: ecrDialect,
  acr: acrDialect,
};

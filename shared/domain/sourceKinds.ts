/** The registry dialects a source speaks (SPEC §11). Apart from the schemas, so the console can import it without zod. */
export const SOURCE_KINDS = ['harbor', 'distribution', 'ecr', 'acr'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

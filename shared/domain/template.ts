/**
 * DingTalk markdown templates: `{{placeholder}}` from a fixed set, checked when a rule
 * is written, and rendered with every inserted value markdown-escaped so an image tag
 * cannot inject links, headings or mentions into a group chat.
 */
export const TEMPLATE_PLACEHOLDERS = [
  'eventId',
  'eventType',
  'status',
  'instanceId',
  'regionId',
  'namespace',
  'repoName',
  'tag',
  'time',
  'ruleName',
] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];
export type TemplateValues = Record<TemplatePlaceholder, string>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Placeholders in the template that are not in the allowed set. */
export function unknownPlaceholders(template: string): string[] {
  const allowed = new Set<string>(TEMPLATE_PLACEHOLDERS);
  const unknown = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!allowed.has(name)) unknown.add(name);
  }
  return [...unknown];
}

/**
 * Escapes markdown in an inserted value: inline punctuation everywhere, and the
 * block markers (#, +, -, ., >) only where a value starts, so `v1.2.0-rc` stays readable.
 * Line breaks are flattened so a value cannot start a new block or forge a line.
 */
export function escapeMarkdown(value: string): string {
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]()!|<~@]/g, (c) => `\\${c}`)
    .replace(/^[#+\->]/, (m) => `\\${m}`)
    .replace(/^(\d+)\./, (_m, digits: string) => `${digits}\\.`);
}

/** `escape` is the target markup's escaping (DingTalk's markdown by default). */
export function renderTemplate(template: string, values: TemplateValues, escape: (value: string) => string = escapeMarkdown): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(values, name) ? escape(values[name as TemplatePlaceholder]) : whole,
  );
}

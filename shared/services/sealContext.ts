/** The context a rule secret is sealed under: binds it to its rule and field, so a sealed value cannot be moved. */
export const sealContext = (instanceId: string, ruleId: string, field: string) => `rule:${instanceId}:${ruleId}:${field}`;

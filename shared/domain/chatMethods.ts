/** The team-chat providers a rule may notify (SPEC §6, §12). */
export const CHAT_METHODS = ['dingtalk', 'feishu', 'wecom', 'slack'] as const;
export type ChatMethod = (typeof CHAT_METHODS)[number];
export type NotifyMethod = ChatMethod | 'http' | 'https';
export const NOTIFY_METHODS = [...CHAT_METHODS, 'http', 'https'] as const satisfies readonly NotifyMethod[];

export const isChatMethod = (method: string): method is ChatMethod => (CHAT_METHODS as readonly string[]).includes(method);

/** Outbound HTTP as the delivery and rule-test services use it; shared/adapters/http/httpSender.ts implements it. */
export interface SendRequest { url: string; body: string; headers: Record<string, string>; timeoutMs: number }
export type SendResult =
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string; truncated: boolean; durationMs: number }
  | { kind: 'error'; error: 'timeout' | 'connection' | 'blocked' | 'dns' | 'invalid-url'; message: string; durationMs: number };
export interface HttpSender { post(request: SendRequest): Promise<SendResult>; close(): Promise<void> }

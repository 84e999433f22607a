/** DingTalk now rides the generic chat mailbox engine (shared/targets/mailbox.ts). */
export { flushChatbot, parkInMailbox, planMessages } from '../targets/mailbox';

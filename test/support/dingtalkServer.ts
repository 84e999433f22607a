/** The DingTalk look-alike lives with the local stack (local/lookalikes), which `npm start` also runs. */
export { startDingTalkServer } from '../../local/lookalikes/dingtalk';
export type { DingTalkServer, ReceivedMessage, ScriptedReply } from '../../local/lookalikes/dingtalk';

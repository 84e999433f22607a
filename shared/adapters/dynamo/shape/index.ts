/**
 * The storage shape of the single table, in one place: every key (keys.ts), every item
 * kind's codec (`…ToItem` / `…FromItem`), and the error for a stored item that does not
 * decode (decode.ts). Repositories build and read items only through these. Indexes:
 * resources/table.yml. Every read filters on `expiresAt`: DynamoDB's TTL sweep may lag.
 *
 * | item kind              | pk                  | sk                  | index entries                                   | codec (file)                              |
 * | ---------------------- | ------------------- | ------------------- | ----------------------------------------------- | ----------------------------------------- |
 * | rule                   | `INST#<instance>`   | `RULE#<rule>`       |                                                 | ruleToItem / ruleFromItem (rules)         |
 * | rule name lock         | `INST#<instance>`   | `RULENAME#<name>`   |                                                 | ruleNameLockItem (rules)                  |
 * | rule-set revision      | `INST#<instance>`   | `RULESET`           |                                                 | ruleSetRevisionOf (rules)                 |
 * | rule health            | `INST#<instance>`   | `HEALTH#<rule>`     |                                                 | ruleHealthFromItem (rules)                |
 * | alert target           | `INST#<instance>`   | `ALERTS`            |                                                 | alertTargetToItem / …FromItem (rules)     |
 * | region quota counter   | `REGION#<region>`   | `QUOTA`             |                                                 | regionUsageOf (rules)                     |
 * | event                  | `EVENT#<event>`     | `EVENT#<instance>`¹ | gsi1 history; gsi2 pending²; gsi4 `pending#…`²  | eventToItem / eventFromItem (events)      |
 * | delivery state         | `EVENT#<event>`     | `DELIVERY#<rule>`³  | gsi2 while open; gsi3 while held; gsi4 by state | deliveryRecord (events)                   |
 * | chatbot state          | `BOT#<bot>`         | `STATE`             |                                                 | botStateFromItem (chatbot)                |
 * | chatbot mail           | `BOT#<bot>`         | `MAIL#<delivery>`   | (gsi2 on mail parked before state items were)   | mailToItem / mailFromItem (chatbot)       |
 * | API key                | `APIKEY#<key>`      | `APIKEY`            | gsi1 `APIKEYS`, `<createdAt>#<key>`             | apiKeyToItem / apiKeyFromItem (access)    |
 * | console session        | `SESSION#<sha256>`  | `SESSION`           |                                                 | sessionToItem / sessionFromItem (access)  |
 * | registry source        | `SOURCE#<source>`   | `SOURCE`            | gsi1 `INST#<instance>#SOURCES`                  | sourceToItem / sourceFromItem (access)    |
 * | source payload         | `PAYLOAD#<payload>` | `PAYLOAD`           |                                                 | payloadToItem / payloadFromItem (access)  |
 *
 * ¹ `EVENT` for an event recorded before ids were unique per instance (no instance).
 * ² While some of its planned deliveries have not been picked up by the worker.
 * ³ With `notifyOverride` once a resume released it to its rule's current target.
 * gsi1 `INST#<instance>#EVENTS`, `<receivedAt>#<event>`; gsi2 `PENDING#<shard>`,
 * `<due>#<event>[#<rule>]`; gsi3 `HELD#<rule>`, `<expiresAt>#<event>`; gsi4 `instanceId`,
 * `<state>#<at>#<event>#<rule>`.
 */
export { keys, historyPageKey, parsePageKey, parsePendingEntry, statePageKey } from './keys';
export type { TableKey } from './keys';
export { CorruptItemError } from './decode';
export { epochSeconds } from './common';
export { deliveriesOfPartition, deliveryRecord, eventFromItem, NOTIFY_OVERRIDE, eventToItem, isStateOf, planOf, ruleIdOfStateItem, stateOfItem, toPlan } from './events';
export type { PlannedDelivery } from './events';
export {
  alertTargetFromItem,
  alertTargetToItem,
  HEALTH_COUNTER,
  regionUsageOf,
  ruleFromItem,
  ruleHealthFromItem,
  ruleNameLockItem,
  ruleSetRevisionOf,
  ruleToItem,
} from './rules';
export { botStateFromItem, mailFromItem, mailToItem } from './chatbot';
export type { BotStateItem } from './chatbot';
export { apiKeyFromItem, apiKeyToItem, payloadFromItem, payloadToItem, sessionFromItem, sessionToItem, sourceFromItem, sourceToItem } from './access';

/**
 * Marks of accepted envelopes (replay protection across Lambda instances, cold starts and local
 * restarts; issue 17): a key family of the `tokens` table.
 *
 * Access pattern: one conditional PutItem per accepted envelope of a state-changing interface,
 * pk = REPLAY#<sha256(OperatorID|TimeStamp|Seq|SIG)> (shared/domain/replay.ts), and nothing else:
 * no read, the condition is the check. The put wins only when no live mark exists —
 * `attribute_not_exists(pk)`, or a mark whose `until` (the envelope's TimeStamp + the window) has
 * passed but that DynamoDB's lazy TTL has not deleted yet. The item is ~100 bytes: 1 WCU, a
 * refused replay too (a failed conditional write is billed as a write). It expires by TTL (`ttl`,
 * epoch seconds) once its TimeStamp has left the window, when the window check refuses the
 * envelope anyway.
 *
 * IAM: a function that marks (grant `{ replay: 'put' }`, infra/topology/types.ts) may PutItem in
 * this table only under keys starting with REPLAY# (dynamodb:LeadingKeys): it cannot write a token.
 */

import { type EnvelopeIdentity, replayMarkKey } from '../domain/replay.ts';
import { PutCommand } from './doc.ts';
import { conditionalWrite, dynamo } from './dynamo.ts';

/**
 * Record that the envelope was accepted, until `untilMs`: true the first time, false when a live
 * mark exists (the envelope was accepted by another instance, or before a restart).
 */
export const markEnvelopeAccepted = (tableName: string, env: EnvelopeIdentity, untilMs: number, nowMs: number): Promise<boolean> =>
  conditionalWrite(
    dynamo(),
    new PutCommand({
      TableName: tableName,
      Item: { pk: replayMarkKey(env), until: untilMs, ttl: Math.ceil(untilMs / 1000) },
      ConditionExpression: 'attribute_not_exists(pk) OR #until <= :now',
      ExpressionAttributeNames: { '#until': 'until' },
      ExpressionAttributeValues: { ':now': nowMs },
    }),
  );

/**
 * See, or fail, the low-level DynamoDB commands `dynamo()` sends (shared/store/doc.ts sends one per
 * document command: GetItemCommand, QueryCommand, BatchGetItemCommand, UpdateItemCommand,
 * TransactWriteItemsCommand…, the input marshalled). The client is built with `cacheMiddleware`, so
 * middleware added to its stack after a first call would be ignored: this wraps its `send` instead.
 */
import { dynamo } from '../../shared/store/dynamo.ts';

interface LowCommand {
  input: Record<string, unknown>;
  constructor: { name: string };
}

/**
 * Until the returned function is called, every command `dynamo()` sends goes through `around` (its
 * class name, its marshalled input, and `send` to send it on); what `around` resolves or throws is
 * the call's answer.
 */
export const aroundDynamoSends = (
  around: (name: string, input: Record<string, unknown>, send: () => Promise<unknown>) => Promise<unknown>,
): (() => void) => {
  const client = dynamo().client as unknown as { send: (cmd: LowCommand, ...rest: unknown[]) => Promise<unknown> };
  const original = client.send;
  client.send = (cmd, ...rest) => around(cmd.constructor.name, cmd.input, () => original.call(client, cmd, ...rest));
  return () => {
    client.send = original;
  };
};

/** The partners' access tokens (TOKEN#<endpoint> in the push table), shared by every push function. */

import type { TokenCache } from '../tcec/client.ts';
import { GetCommand, PutCommand } from './doc.ts';
import { dynamo } from './dynamo.ts';
import { epochSeconds, pushTable } from './push-table.ts';

/** TcecClient TokenCache over DynamoDB, with a process-local first level. */
export class DynamoTokenCache implements TokenCache {
  private readonly local = new Map<string, { token: string; expiresAt: number }>();

  async get(key: string): Promise<{ token: string; expiresAt: number } | undefined> {
    const hit = this.local.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit;
    const res = await dynamo().send(new GetCommand({ TableName: pushTable(), Key: { pk: `TOKEN#${key}` }, ConsistentRead: true }));
    const item = res.Item;
    if (!item || typeof item.token !== 'string' || typeof item.tokenExpiresAt !== 'number') return undefined;
    const v = { token: item.token, expiresAt: item.tokenExpiresAt };
    this.local.set(key, v);
    return v;
  }

  /** a refused token leaves the local level, so the next get sees what other instances stored */
  async invalidate(key: string, token: string): Promise<void> {
    if (this.local.get(key)?.token === token) this.local.delete(key);
  }

  async set(key: string, v: { token: string; expiresAt: number }): Promise<void> {
    this.local.set(key, { ...v });
    await dynamo().send(
      new PutCommand({
        TableName: pushTable(),
        Item: { pk: `TOKEN#${key}`, token: v.token, tokenExpiresAt: v.expiresAt, expiresAt: epochSeconds(v.expiresAt) + 3600 },
      }),
    );
  }
}

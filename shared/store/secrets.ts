/**
 * Partner and platform secrets live in Secrets Manager under one prefix (config SECRETS_PREFIX),
 * never in environment variables or tables. Handlers read them through Powertools parameters
 * with caching; the CLI writes them. Locally the same SDK calls reach the emulator.
 */

import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { config } from '../config.ts';
import { SDK_CLIENT_DEFAULTS } from '../sdk-clients.ts';
import { singleFlight } from '../single-flight.ts';

const SecretSetSchema = z.object({
  operatorSecret: z.string().check(z.minLength(1)),
  dataSecret: z.string().check(z.refine((s) => Buffer.byteLength(s, 'utf8') === 16, 'DataSecret must be exactly 16 bytes')),
  dataSecretIV: z.string().check(z.refine((s) => Buffer.byteLength(s, 'utf8') === 16, 'DataSecretIV must be exactly 16 bytes')),
  sigSecret: z.string().check(z.minLength(1)),
});

export const PartnerSecretsSchema = z.object({
  /** the set we issued to the partner: it calls us with these */
  inbound: SecretSetSchema,
  /** a rotated-out inbound set, still accepted until validUntil (epoch ms) */
  previousInbound: z.optional(z.object({ set: SecretSetSchema, validUntil: z.number() })),
  /** the set the partner issued to us: we call it with these */
  outbound: z.optional(SecretSetSchema),
});
export type PartnerSecrets = z.infer<typeof PartnerSecretsSchema>;
export { SecretSetSchema };

const partnerSecretName = (operatorId: string): string => `${config().SECRETS_PREFIX}partners/${operatorId}`;

let provider: SecretsProvider | undefined;
const secretsProvider = (): SecretsProvider =>
  (provider ??= new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({ ...SDK_CLIENT_DEFAULTS }) }));

/** Forget the provider and its cache (the local runtime, when a platform starts again in the same process). */
export const resetSecretsProvider = (): void => {
  provider = undefined;
  secretReads.forget();
};

/** a cold cache under a burst (the pushes of one batch to one partner): one GetSecretValue, not one per push */
const secretReads = singleFlight<string, PartnerSecrets | undefined>();

/**
 * The partner's secrets (cached for SECRETS_CACHE_SECONDS). `undefined` when no secret exists.
 * `forceFetch` bypasses the cache — used once after a signature mismatch, so a rotation is seen at once.
 */
export const getPartnerSecrets = (operatorId: string, forceFetch = false): Promise<PartnerSecrets | undefined> =>
  // a forced fetch (a signature mismatch: a rotation must be seen at once) never joins an older read
  forceFetch ? readPartnerSecrets(operatorId, true) : secretReads.run(operatorId, () => readPartnerSecrets(operatorId, false));

const readPartnerSecrets = async (operatorId: string, forceFetch: boolean): Promise<PartnerSecrets | undefined> => {
  try {
    const raw = await secretsProvider().get(partnerSecretName(operatorId), {
      maxAge: config().SECRETS_CACHE_SECONDS,
      forceFetch,
    });
    if (raw === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw as Uint8Array).toString('utf8'));
    } catch {
      // never let the parser's message (which quotes the text) carry secret material into a log
      throw new Error(`secret ${partnerSecretName(operatorId)} is not valid JSON`);
    }
    const parsed = PartnerSecretsSchema.safeParse(json);
    if (!parsed.success)
      throw new Error(
        `secret ${partnerSecretName(operatorId)} has the wrong shape: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      );
    return parsed.data;
  } catch (err) {
    if (err instanceof Error && /ResourceNotFound/.test(`${err.name} ${err.message} ${String((err as { cause?: unknown }).cause ?? '')}`))
      return undefined;
    throw err;
  }
};

/** Create or replace a partner's secret (CLI, seed loader). */
export const putPartnerSecrets = async (
  operatorId: string,
  secrets: PartnerSecrets,
  client = new SecretsManagerClient({}),
): Promise<void> => {
  const name = partnerSecretName(operatorId);
  const value = JSON.stringify(PartnerSecretsSchema.parse(secrets));
  try {
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
  } catch (err) {
    if (err instanceof Error && err.name === 'ResourceNotFoundException') {
      await client.send(
        new CreateSecretCommand({ Name: name, SecretString: value, Description: `T/CEC secrets of partner ${operatorId}` }),
      );
      return;
    }
    throw err;
  }
};

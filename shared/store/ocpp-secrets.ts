/**
 * OCPP charge point passwords in Secrets Manager, under `<prefix>ocpp/`:
 *   - `ocpp/password-key`: the key generated passwords are derived from (HMAC-SHA256 of the charge
 *     point id), so thousands of charge points need one secret, not thousands;
 *   - `ocpp/charge-points/<id>`: a rotated password (`npm run evcs -- piles credentials --rotate`).
 * The registry (shared/store/ocpp.ts) keeps only salted hashes; these are for the operator to hand
 * a password to a charger.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { config } from '../config.ts';
import { SDK_CLIENT_DEFAULTS } from '../sdk-clients.ts';

let client: SecretsManagerClient | undefined;
const sm = () => (client ??= new SecretsManagerClient({ ...SDK_CLIENT_DEFAULTS }));
const keyName = () => `${config().SECRETS_PREFIX}ocpp/password-key`;
const cpPrefix = () => `${config().SECRETS_PREFIX}ocpp/charge-points/`;

const isNotFound = (err: unknown) => err instanceof Error && err.name === 'ResourceNotFoundException';

const putSecret = async (name: string, value: string, description: string): Promise<void> => {
  try {
    await sm().send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await sm().send(new CreateSecretCommand({ Name: name, SecretString: value, Description: description }));
  }
};

const getSecret = async (name: string): Promise<string | undefined> => {
  try {
    return (await sm().send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
};

/** The key generated passwords derive from; created (random, 32 bytes) the first time. */
export const passwordKey = async (): Promise<string> => {
  const existing = await getSecret(keyName());
  if (existing) return existing;
  const key = randomBytes(32).toString('base64');
  await putSecret(keyName(), key, 'OCPP: key the generated charge point passwords derive from');
  return key;
};

/** the rotated password of a charge point, if it has one */
export const rotatedPassword = (chargePointId: string): Promise<string | undefined> => getSecret(`${cpPrefix()}${chargePointId}`);

export const putRotatedPassword = (chargePointId: string, password: string): Promise<void> =>
  putSecret(`${cpPrefix()}${chargePointId}`, password, `OCPP password of charge point ${chargePointId}`);

/** every charge point that has a rotated password (ids only; one ListSecrets page per 100) */
export const rotatedChargePoints = async (): Promise<Set<string>> => {
  const out = new Set<string>();
  let NextToken: string | undefined;
  do {
    const res = await sm().send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [cpPrefix()] }], MaxResults: 100, ...(NextToken ? { NextToken } : {}) }),
    );
    for (const s of res.SecretList ?? []) if (s.Name?.startsWith(cpPrefix())) out.add(s.Name.slice(cpPrefix().length));
    NextToken = res.NextToken;
  } while (NextToken);
  return out;
};

/** for the local runtime when a platform starts again in the same process */
export const resetOcppSecretsClient = (): void => {
  client = undefined;
};

/**
 * The Secrets Manager store behind the loopback emulator: secret name → current (and previous)
 * version. Kept in <dataDir>/secrets.json (mode 0600) or in memory. Values never leave this
 * store except through GetSecretValue; nothing here logs them.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from './json-file.ts';

const VersionSchema = z.object({ versionId: z.string(), secretString: z.string(), createdAt: z.number() });
const SecretSchema = z.object({
  name: z.string(),
  arn: z.string(),
  description: z.string().optional(),
  createdAt: z.number(),
  lastChangedAt: z.number(),
  current: VersionSchema,
  previous: VersionSchema.optional(),
});
export type StoredSecret = z.infer<typeof SecretSchema>;
const FileSchema = z.object({ version: z.literal(1), secrets: z.array(SecretSchema) });

export class SecretsError extends Error {
  constructor(
    readonly code: 'ResourceNotFoundException' | 'ResourceExistsException' | 'InvalidParameterException' | 'InvalidRequestException',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export class SecretStore {
  private readonly secrets = new Map<string, StoredSecret>();

  constructor(
    private readonly region: string,
    private readonly account: string,
    private readonly file?: string,
  ) {
    for (const s of (file && readJsonFile(file, FileSchema)?.secrets) || []) this.secrets.set(s.name, s);
  }

  /** by name or ARN */
  get(id: string): StoredSecret {
    const s = this.secrets.get(id) ?? [...this.secrets.values()].find((x) => x.arn === id);
    if (!s) throw new SecretsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return s;
  }

  create(name: string, secretString: string | undefined, description?: string, versionId?: string): StoredSecret {
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name))
      throw new SecretsError(
        'InvalidParameterException',
        'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
      );
    if (this.secrets.has(name))
      throw new SecretsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    if (secretString === undefined)
      throw new SecretsError('InvalidParameterException', 'SecretString is required locally (SecretBinary is not supported)');
    const now = Date.now();
    const s: StoredSecret = {
      name,
      arn: `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${name}-${randomBytes(3).toString('hex')}`,
      ...(description !== undefined ? { description } : {}),
      createdAt: now,
      lastChangedAt: now,
      current: { versionId: versionId ?? randomUUID(), secretString, createdAt: now },
    };
    this.secrets.set(name, s);
    this.save();
    return s;
  }

  put(id: string, secretString: string, versionId?: string): StoredSecret {
    const s = this.get(id);
    const now = Date.now();
    if (versionId && versionId === s.current.versionId) {
      if (s.current.secretString !== secretString)
        throw new SecretsError('ResourceExistsException', 'You can’t modify an existing version, you can only create a new version.');
      return s; // idempotent retry
    }
    s.previous = s.current;
    s.current = { versionId: versionId ?? randomUUID(), secretString, createdAt: now };
    s.lastChangedAt = now;
    this.save();
    return s;
  }

  updateDescription(id: string, description: string): StoredSecret {
    const s = this.get(id);
    s.description = description;
    s.lastChangedAt = Date.now();
    this.save();
    return s;
  }

  delete(id: string): StoredSecret {
    const s = this.get(id);
    this.secrets.delete(s.name);
    this.save();
    return s;
  }

  list(namePrefixes: readonly string[] = []): StoredSecret[] {
    return [...this.secrets.values()]
      .filter((s) => namePrefixes.length === 0 || namePrefixes.some((p) => s.name.startsWith(p)))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private save(): void {
    if (!this.file) return;
    writeJsonAtomic(this.file, { version: 1, secrets: [...this.secrets.values()] });
    chmodSync(this.file, 0o600);
  }
}

/**
 * The local runtime's state files (queues, secrets, failed async invocations): JSON written
 * atomically (temp file + rename, owner-only) and read back through a zod schema.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { z } from 'zod';

export const writeJsonAtomic = (file: string, data: unknown): void => {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2), { mode: 0o600 });
  renameSync(tmp, file);
};

/** The file's content, validated; undefined when there is no file yet. */
export const readJsonFile = <S extends z.ZodTypeAny>(file: string, schema: S): z.output<S> | undefined =>
  existsSync(file) ? schema.parse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;

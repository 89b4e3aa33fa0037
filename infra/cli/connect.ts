/**
 * Where the operator CLIs point: a running local cloud (it writes `<data-dir>/local-cloud.json`
 * with its endpoints and environment), or AWS itself when that file is absent and the
 * environment names the resources (TABLE_PARTNERS, SECRETS_PREFIX, … as the stack outputs say).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resetConfig } from '../../shared/config.ts';
import { DEFAULT_DATA_DIR, RUNTIME_FILE } from '../local/defaults.ts';

export interface RuntimeInfo {
  apiUrl: string;
  pid: number;
  env: Record<string, string>;
}

export const runtimeFile = (dataDir = DEFAULT_DATA_DIR): string => resolve(join(dataDir, RUNTIME_FILE));

export const connect = (dataDir?: string): { target: 'local' | 'aws'; apiUrl?: string } => {
  const file = runtimeFile(dataDir);
  if (existsSync(file)) {
    const info = JSON.parse(readFileSync(file, 'utf8')) as RuntimeInfo;
    for (const [k, v] of Object.entries(info.env)) process.env[k] = v;
    resetConfig();
    return { target: 'local', apiUrl: info.apiUrl };
  }
  return { target: 'aws' };
};

/**
 * Run an operator CLI (`infra/cli/<script>.ts`) as a user does, through tsx in a child process:
 * its exit code and output, whether it succeeds or not. Powertools logs are kept to errors.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export const runCli = async (script: 'partner' | 'evcs', args: readonly string[]): Promise<CliResult> => {
  try {
    const r = await run(join(root, 'node_modules/.bin/tsx'), [join(root, `infra/cli/${script}.ts`), ...args], {
      cwd: root,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
};

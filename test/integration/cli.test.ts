/**
 * The README's commands, run as a user runs them: `npm run partner -- query_token` and
 * `npm run evcs -- partners add|list|rotate` against a running local platform (it writes its
 * endpoints into the data dir, where the CLIs find them).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { DEMO_SEED, startTestPlatform } from '../support/platform.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = join(root, 'node_modules/.bin/tsx');

let platform: Platform;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'evcs-cli-'));
  platform = await startTestPlatform({ seedFile: DEMO_SEED, dataDir, simulator: false });
});
afterAll(async () => {
  await platform?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const cli = async (script: 'partner' | 'evcs', args: string[]) => {
  try {
    const r = await run(tsx, [join(root, `infra/cli/${script}.ts`), ...args], {
      cwd: root,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
};
const secretsFrom = (out: string) => ({
  operatorSecret: /OperatorSecret\s+(\S+)/.exec(out)![1]!,
  dataSecret: /DataSecret\s+(\S+)/.exec(out)![1]!,
  dataSecretIV: /DataSecretIV\s+(\S+)/.exec(out)![1]!,
  sigSecret: /SigSecret\s+(\S+)/.exec(out)![1]!,
});
const base = () => `${platform.apiUrl}/evcs/v1/`;

describe('npm run partner', () => {
  it('query_token as the demo partner: Ret 0, Sig verified, a token', async () => {
    const r = await cli('partner', ['--base-url', base(), 'query_token']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Ret 0');
    expect(r.out).toContain('Sig verified');
    expect(r.out).toMatch(/"AccessToken": "[0-9a-f]{64}"/);
  });

  it('wrong secrets: a non-zero exit and the protocol error', async () => {
    const r = await cli('partner', [
      '--base-url',
      base(),
      '--operator',
      'MA01H3BQ2',
      '--operator-secret',
      'x',
      '--data-secret',
      'demoDataKey00001',
      '--data-secret-iv',
      'demoDataIV000001',
      '--sig-secret',
      'wrong',
      'query_token',
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Ret 4001');
  });
});

describe('npm run evcs -- partners', () => {
  it('add → list → the new partner obtains a token with the handed-over secrets → rotate keeps the old set valid', async () => {
    const add = await cli('evcs', [
      '--data-dir',
      dataDir,
      'partners',
      'add',
      '--operator-id',
      'MA03ABCD4',
      '--name',
      'Fleet Co',
      '--dialect',
      'xiaoju',
      '--stations',
      'SH0001,SH0002',
    ]);
    expect(add.code).toBe(0);
    expect(add.out).toContain('MA03ABCD4');
    const issued = secretsFrom(add.out);
    expect(Buffer.byteLength(issued.dataSecret)).toBe(16);

    const list = await cli('evcs', ['--data-dir', dataDir, 'partners', 'list']);
    expect(list.out).toMatch(/MA03ABCD4\s+active\s+xiaoju\s+2 station\(s\)/);
    expect(list.out).not.toContain(issued.sigSecret); // list never prints secrets

    const asNew = (s: typeof issued) => [
      '--base-url',
      base(),
      '--operator',
      'MA03ABCD4',
      '--operator-secret',
      s.operatorSecret,
      '--data-secret',
      s.dataSecret,
      '--data-secret-iv',
      s.dataSecretIV,
      '--sig-secret',
      s.sigSecret,
      'query_token',
    ];
    const token = await cli('partner', asNew(issued));
    expect(token.code).toBe(0);
    expect(token.out).toContain('"SuccStat": 0');

    const rotate = await cli('evcs', [
      '--data-dir',
      dataDir,
      'partners',
      'rotate',
      '--operator-id',
      'MA03ABCD4',
      '--grace-seconds',
      '3600',
    ]);
    expect(rotate.code).toBe(0);
    const fresh = secretsFrom(rotate.out);
    expect(fresh.sigSecret).not.toBe(issued.sigSecret);
    expect((await cli('partner', asNew(fresh))).code).toBe(0);
    expect((await cli('partner', asNew(issued))).code).toBe(0); // still inside the grace period
  });

  it('refuses --roaming out without the outbound set we would call the partner with', async () => {
    const r = await cli('evcs', [
      '--data-dir',
      dataDir,
      'partners',
      'add',
      '--operator-id',
      'MA03ROAM1',
      '--name',
      'x',
      '--roaming',
      'in,out',
    ]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/roaming\.out needs the outbound set/);
    const list = await cli('evcs', ['--data-dir', dataDir, 'partners', 'list']);
    expect(list.out).not.toContain('MA03ROAM1'); // nothing half-written
    expect(list.out).toMatch(/MA01H3BQ2 .* roaming in$/m); // the demo partners roam in only (the default)
  });

  it('refuses an OperatorID that is not 9 letters or digits', async () => {
    const r = await cli('evcs', ['--data-dir', dataDir, 'partners', 'add', '--operator-id', 'BAD', '--name', 'x']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/OperatorID/);
  });
});

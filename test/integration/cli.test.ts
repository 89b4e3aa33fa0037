/**
 * The README's commands, run as a user runs them: `npm run partner -- query_token` and
 * `npm run evcs -- partners add|list|rotate` against a running local platform (it writes its
 * endpoints into the data dir, where the CLIs find them).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../infra/local/platform.ts';
import { getPartner } from '../../shared/store/partners.ts';
import { runCli } from '../support/cli.ts';
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

const cli = runCli;
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

  it('--rps/--burst: the budget is stored on the partner (either alone takes burst = 2 × rps); bad values are refused, nothing written', async () => {
    const add = (id: string, ...budget: string[]) =>
      cli('evcs', ['--data-dir', dataDir, 'partners', 'add', '--operator-id', id, '--name', 'Budget Co', ...budget]);
    const both = await add('MA03RATE1', '--rps', '2.5', '--burst', '7');
    expect(both.code).toBe(0);
    expect((await getPartner('MA03RATE1', { fresh: true }))?.rateLimit).toEqual({ rps: 2.5, burst: 7 });
    const rpsOnly = await add('MA03RATE2', '--rps', '5');
    expect(rpsOnly.code).toBe(0);
    expect((await getPartner('MA03RATE2', { fresh: true }))?.rateLimit).toEqual({ rps: 5, burst: 10 });

    for (const [id, budget] of [
      ['MA03RATE3', ['--rps', '0']],
      ['MA03RATE4', ['--rps', 'fast']],
      ['MA03RATE5', ['--rps', '5', '--burst', '1.5']],
    ] as const) {
      const r = await add(id, ...budget);
      expect({ id, code: r.code === 0 }).toEqual({ id, code: false });
      expect(r.err).toMatch(/--rps must be a positive number and --burst a positive integer/);
      expect(await getPartner(id, { fresh: true })).toBeUndefined(); // nothing half-written
    }
  }, 180_000); // five CLI processes, each compiling TypeScript at start

  it('refuses an OperatorID that is not 9 letters or digits', async () => {
    const r = await cli('evcs', ['--data-dir', dataDir, 'partners', 'add', '--operator-id', 'BAD', '--name', 'x']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/OperatorID/);
  });
});

describe('npm run evcs -- partners add --profile (issue 14)', () => {
  const add = (operatorId: string, ...extra: string[]) =>
    cli('evcs', ['--data-dir', dataDir, 'partners', 'add', '--operator-id', operatorId, '--name', `msp ${operatorId}`, ...extra]);
  const specs = (name: string, content: unknown) => {
    const f = join(dataDir, name);
    writeFileSync(f, JSON.stringify(content));
    return f;
  };

  it('--profile didi: recorded on the partner, not as an OEM partner', async () => {
    const r = await add('MA0CLIDD1', '--dialect', 'xiaoju', '--profile', 'didi');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(await getPartner('MA0CLIDD1', { fresh: true })).toMatchObject({ profile: 'didi', dialect: 'xiaoju' });
    expect((await getPartner('MA0CLIDD1', { fresh: true }))?.servedBy).toBeUndefined();
  }, 120_000);

  it('a custom profile from --profiles-file: recorded with its spec, the partner obtains a token at its prefix; an OEM spec is recorded as served by its stack', async () => {
    const file = specs('profiles.json', {
      acme: { extends: 'didi', servedAt: '/msp/acme/v1/', rename: { query_equip_auth: { ConnectorID: 'GunID' } } },
      bmw: { extends: 'cec2016', oem: true, servedAt: '/msp/bmw/v1/' },
    });
    const r = await add('MA0CLIAC1', '--profile', 'acme', '--profiles-file', file);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const p = await getPartner('MA0CLIAC1', { fresh: true });
    expect(p).toMatchObject({ profile: 'acme', profiles: { acme: { servedAt: '/msp/acme/v1/' } } });
    const issued = secretsFrom(r.out);
    const token = await cli('partner', [
      '--base-url',
      `${platform.apiUrl}/msp/acme/v1/`,
      '--operator',
      'MA0CLIAC1',
      '--operator-secret',
      issued.operatorSecret,
      '--data-secret',
      issued.dataSecret,
      '--data-secret-iv',
      issued.dataSecretIV,
      '--sig-secret',
      issued.sigSecret,
      'query_token',
    ]);
    expect(token.out).toContain('"SuccStat": 0');

    expect((await add('MA0CLIBM1', '--profile', 'bmw', '--profiles-file', file)).code).toBe(0);
    expect(await getPartner('MA0CLIBM1', { fresh: true })).toMatchObject({ profile: 'bmw', servedBy: 'oem' });
  }, 180_000);

  it('an invalid custom profile: refused, the error names the field, nothing written', async () => {
    const file = specs('bad.json', { acme: { extends: 'didi', rename: { query_equip_auth: { NoSuchField: 'X' } } } });
    const r = await add('MA0CLIBD1', '--profile', 'acme', '--profiles-file', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/profiles\.acme\.rename\.query_equip_auth\.NoSuchField: NoSuchField is not a field/);
    const unknown = await add('MA0CLIBD1', '--profile', 'nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/unknown profile 'nobody'/);
    expect(await getPartner('MA0CLIBD1', { fresh: true })).toBeUndefined();
  }, 120_000);
});

describe('npm start -- options: --oem (issue 14), --sim-outages', () => {
  const start = async (args: string[]) => {
    try {
      await run(tsx, [join(root, 'infra/local/main.ts'), '--port', '0', '--data-dir', join(dataDir, 'never'), ...args], {
        cwd: root,
        timeout: 120_000,
      });
      return { code: 0, err: '' };
    } catch (e) {
      const x = e as { code: number; stderr: string };
      return { code: x.code, err: x.stderr };
    }
  };

  it('an unknown OEM, or a seed profile not marked oem, fails before anything starts', async () => {
    const unknown = await start(['--oem', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/npm start failed: oem 'nobody': no built-in profile of that name/);
    const seed = join(dataDir, 'oem-seed.json');
    writeFileSync(
      seed,
      JSON.stringify({
        operatorId: 'MA5GS8X01',
        partners: [{ operatorId: 'MA0BMWP01', name: 'BMW', profile: 'bmw', inbound: platform.seed.partners[0]!.inbound }],
        profiles: { bmw: { extends: 'cec2016', servedAt: '/msp/bmw/v1/' } },
      }),
    );
    const notOem = await start(['--oem', 'bmw', '--seed', seed]);
    expect(notOem.code).toBe(1);
    expect(notOem.err).toMatch(/oem 'bmw': its profile is not marked "oem": true/);
  }, 120_000);

  it('--sim-outages takes on or off only, and says so before anything starts', async () => {
    const bad = await start(['--sim-outages', 'sometimes']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--sim-outages must be on or off, got sometimes/);
  }, 120_000);
});

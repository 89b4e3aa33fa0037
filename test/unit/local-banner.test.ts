/** issue 9 (7): the start banner prints secrets only for the built-in demo seed. */
import { describe, expect, it } from 'vitest';
import { startBanner } from '../../infra/local/banner.ts';
import { DEFAULT_SEED } from '../../infra/local/defaults.ts';
import { readSeed } from '../../shared/seed.ts';

const seed = readSeed(DEFAULT_SEED);
const secretsOf = (s: typeof seed) =>
  s.partners.flatMap((p) => [p.inbound.operatorSecret, p.inbound.dataSecret, p.inbound.dataSecretIV, p.inbound.sigSecret]);
const common = { apiUrl: 'http://127.0.0.1:8080', seed, dataDir: '/tmp/d', fresh: false, piles: 'x', defaultPort: true };

describe('start banner', () => {
  it('the built-in demo seed: the demo partner and its demo secrets', () => {
    const text = startBanner({ ...common, seedFile: DEFAULT_SEED, builtInSeed: true });
    const demo = seed.partners[0];
    expect(text).toContain(`OperatorSecret  ${demo?.inbound.operatorSecret}`);
    expect(text).toContain(`SigSecret       ${demo?.inbound.sigSecret}`);
    // where real chargers connect (OCPP 1.6J over the same port)
    expect(text).toContain('OCPP 1.6J    ws://127.0.0.1:8080/ocpp/<EquipmentID>');
  });

  it('--seed FILE: names every partner and where the secrets are, prints no secret', () => {
    const text = startBanner({ ...common, seedFile: '/etc/evcs/seed.json', builtInSeed: false });
    for (const p of seed.partners) expect(text).toContain(p.operatorId);
    expect(text).toContain('/etc/evcs/seed.json');
    expect(text).toContain('/tmp/d/secrets.json');
    for (const secret of secretsOf(seed)) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/Secret\s{2,}/);
  });

  it('the console link carries a key generated for this run; a key from EVCS_ADMIN_API_KEY is never printed', () => {
    const generated = startBanner({
      ...common,
      seedFile: DEFAULT_SEED,
      builtInSeed: true,
      adminApiKey: 'k3y-gen',
      adminKeyGenerated: true,
    });
    expect(generated).toContain('console      http://127.0.0.1:8080/console/#key=k3y-gen');
    const fromEnv = startBanner({ ...common, seedFile: DEFAULT_SEED, builtInSeed: true, adminApiKey: 'k3y-env', adminKeyGenerated: false });
    expect(fromEnv).toContain('console      http://127.0.0.1:8080/console/');
    expect(fromEnv).not.toContain('k3y-env');
  });
});

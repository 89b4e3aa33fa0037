/** infra/local/seed/demo-seed.json is generated: it must be what its generator produces today. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_SEED_FILE, renderDemoSeed } from '../../infra/local/seed/generate-demo.ts';

describe('infra/local/seed/demo-seed.json', () => {
  it('is up to date (run `npm run seed:demo` after changing the generator or demo-partners.json)', () => {
    const onDisk = readFileSync(DEMO_SEED_FILE, 'utf8');
    const fresh = renderDemoSeed().text;
    // compare the text only when it differs, so a stale file fails with the regenerate command, not a 50,000-line diff
    if (onDisk !== fresh) expect.fail('demo-seed.json is stale: run `npm run seed:demo` and commit the result');
  });

  it('is deterministic: two renderings are identical', () => {
    const a = renderDemoSeed();
    expect(renderDemoSeed().text).toBe(a.text);
    expect(a).toMatchObject({ stations: 200, partners: expect.any(Number) });
    expect(a.connectors).toBeGreaterThan(1000);
  });
});

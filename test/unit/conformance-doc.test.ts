/** docs/conformance.md must say what the code does: it is rendered from the catalog, the topology and the tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderConformance } from '../../infra/conformance.ts';
import { INTERFACES } from '../../shared/tcec/interfaces.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('docs/conformance.md', () => {
  it('is up to date (run `npm run docs` after changing interfaces, routes or conformance tests)', () => {
    expect(readFileSync(join(root, 'docs/conformance.md'), 'utf8')).toBe(renderConformance(root));
  });

  it('lists every interface of the catalog, standard and extension', () => {
    const doc = renderConformance(root);
    for (const name of Object.keys(INTERFACES)) expect(doc).toContain(`| \`${name}\``);
    expect(Object.keys(INTERFACES).length).toBeGreaterThanOrEqual(16);
  });

  it('names at least one test for every interface it calls served', () => {
    const doc = renderConformance(root);
    for (const line of doc.split('\n').filter((l) => / \| served/.test(l))) expect(line).not.toMatch(/\| — \|$/);
  });
});

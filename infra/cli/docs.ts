/** `npm run docs` — regenerate docs/conformance.md from the code. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConformance } from '../conformance.ts';
import { REPO_ROOT } from '../local/cloud.ts';

writeFileSync(join(REPO_ROOT, 'docs', 'conformance.md'), renderConformance(REPO_ROOT));
console.log('docs/conformance.md written');

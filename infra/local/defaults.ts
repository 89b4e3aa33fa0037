/** Embedded defaults of the local runtime. */
import { fileURLToPath } from 'node:url';

export const DEFAULT_PORT = 8080;
export const DEFAULT_DATA_DIR = '.data';
/** the local demo seed: our OperatorID, the demo partners (public demo secrets) and, later, the demo stations */
export const DEFAULT_SEED = fileURLToPath(new URL('./seed/demo-partners.json', import.meta.url));
/** where a running local cloud writes its endpoints, so the CLIs can reach it */
export const RUNTIME_FILE = 'local-cloud.json';

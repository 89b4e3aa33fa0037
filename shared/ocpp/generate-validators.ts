/**
 * `npm run ocpp:validators` — writes shared/ocpp/validators.generated.js: the OCPP 1.6J JSON-schema
 * validators the platform runs, compiled ahead of time with ajv's standalone code generation, so no
 * Lambda bundle carries ajv or the schemas (cold start: ajv ~103 KB + schemas 34 KB + compiling them
 * at init). The ajv is the one ocpp-rpc validates with (resolved from ocpp-rpc, same version), set
 * up exactly as ocpp-rpc's `createValidator` sets it up: `strictSchema: false`, ajv-formats' full
 * formats, and its tolerant `multipleOf` (|data/schema − round(data/schema)| < 1e-6, reported as the
 * keyword `multipleOf`). The error-code mapping stays in shared/ocpp/schemas.ts. The runtime helpers
 * the generated code needs (ajv's ucs2length, ajv-formats' formats) are bundled into the file by
 * esbuild: it imports nothing. test/unit/ocpp/validators.test.ts fails when the file is stale and
 * checks both validators agree.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { CONFIGURE_ACTION, INCOMING_ACTIONS, OUTGOING_ACTIONS } from '../domain/ocpp.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
export const VALIDATORS_FILE = join(here, 'validators.generated.js');

/**
 * The schemas the platform checks: the `.req` of every CALL a charge point may send us
 * (INCOMING_ACTIONS), and the `.req` and `.conf` of every CALL we send it (OUTGOING_ACTIONS and the
 * metering's CONFIGURE_ACTION), all from shared/domain/ocpp.ts. Any other → ProtocolError, as
 * ocpp-rpc answers for a schema it lacks (shared/ocpp/schemas.ts).
 */
export const VALIDATED_SCHEMAS = {
  req: [...INCOMING_ACTIONS, ...OUTGOING_ACTIONS, CONFIGURE_ACTION],
  conf: [...OUTGOING_ACTIONS, CONFIGURE_ACTION],
} as const;

interface AjvCtx {
  fail(condition: unknown): void;
  data: unknown;
  schema: unknown;
}
type Code = (strings: TemplateStringsArray, ...values: unknown[]) => unknown;

/** the generated module's text (deterministic: same ajv, same schemas → same bytes) */
export const renderValidators = (): string => {
  // ajv and ajv-formats as ocpp-rpc resolves them (they are its dependencies, not ours)
  const fromOcppRpc = createRequire(createRequire(import.meta.url).resolve('ocpp-rpc/lib/validator.js'));
  const Ajv = fromOcppRpc('ajv').default as new (
    opts: object,
  ) => {
    addSchema(s: unknown): void;
    removeKeyword(k: string): void;
    addKeyword(def: object): void;
  };
  const { _ } = fromOcppRpc('ajv') as { _: Code };
  const addFormats = fromOcppRpc('ajv-formats') as (ajv: unknown) => void;
  const standaloneCode = fromOcppRpc('ajv/dist/standalone').default as (ajv: unknown, refs: Record<string, string>) => string;
  const schemas = fromOcppRpc('./schemas/ocpp1_6.json') as Array<{ $id: string }>;

  const ajv = new Ajv({
    strictSchema: false,
    code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  addFormats(ajv);
  ajv.addSchema(schemas);
  // ocpp-rpc's multipleOf (lib/validator.js), as code ajv can emit: a compiled closure cannot be
  ajv.removeKeyword('multipleOf');
  ajv.addKeyword({
    keyword: 'multipleOf',
    type: 'number',
    schemaType: 'number',
    metaSchema: { type: 'number' },
    code(cxt: AjvCtx) {
      cxt.fail(_`Math.abs(Math.round(${cxt.data} / ${cxt.schema}) - ${cxt.data} / ${cxt.schema}) >= 1e-6`);
    },
  });

  const refs: Record<string, string> = {};
  for (const kind of ['req', 'conf'] as const) {
    for (const action of VALIDATED_SCHEMAS[kind]) {
      const id = `urn:${action}.${kind}`;
      if (!schemas.some((s) => s.$id === id)) throw new Error(`no OCPP 1.6 schema ${id}`);
      refs[id] = id;
    }
  }
  // Each error object ajv emits carries `schemaPath` and `params`; the platform reads only `keyword`,
  // `instancePath` and `message` (shared/ocpp/schemas.ts): dropping the other two is ~25 KB of the
  // minified bundle, and changes no decision (the validators.test.ts comparison with ocpp-rpc's).
  const cjs = standaloneCode(ajv, refs)
    .replace(/schemaPath: *"[^"]*", */g, '')
    .replace(/, *params: *\{[^{}]*\}/g, '');
  if (/schemaPath|params:/.test(cjs)) throw new Error('ajv standalone output changed shape: revisit the error-object trimming');
  // one self-contained ESM file: ajv's runtime helpers and ajv-formats' formats bundled in
  const out = buildSync({
    // from ocpp-rpc's folder as the repository sees it (node_modules may be a symlink: keep paths repository-relative)
    stdin: { contents: cjs, resolveDir: join(repoRoot, 'node_modules', 'ocpp-rpc'), sourcefile: 'ocpp1_6.standalone.cjs', loader: 'js' },
    absWorkingDir: repoRoot,
    preserveSymlinks: true,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    legalComments: 'inline',
    logLevel: 'warning',
  });
  const body = out.outputFiles[0]?.text ?? '';
  // esbuild exposes the CJS module's exports (schema id → validate function) as its default export
  const esm = body.replace(/export default ([\w$]+)\(\);\s*$/, 'export const validators = Object.freeze($1());\n');
  if (esm === body) throw new Error('esbuild output changed shape: no `export default …()` to name');
  return [
    '// GENERATED by `npm run ocpp:validators` (shared/ocpp/generate-validators.ts) — do not edit.',
    '// OCPP 1.6J JSON-schema validators: ajv standalone code (the ajv and ajv-formats ocpp-rpc uses), by schema id.',
    esm,
  ].join('\n');
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(VALIDATORS_FILE, renderValidators());
  console.log(`wrote ${relative(process.cwd(), VALIDATORS_FILE)}`);
}

/**
 * Which T/CEC interfaces a function's code may read the schemas of: the catalog a Lambda bundle
 * holds (`evcsBundling` drops the others' schema builders) and the one the local runtime lets each
 * invocation read (`mirrorBundledCatalog`), so tests see a missing declaration as a bundle would.
 */
import { INTERFACE_NAMES } from '../../shared/tcec/interfaces.ts';
import type { FunctionDecl } from './types.ts';

/**
 * The T/CEC interfaces whose schemas a function's bundle holds (shared/tcec/interfaces.ts,
 * `process.env.EVCS_TCEC_<interface>`): the ones it serves (an HTTP route ending in a catalog name: `/evcs/v1/<name>`, a
 * profile's or an OEM's prefix) and the ones it calls (`calls`: pushes, reconciliation, roaming out).
 * `undefined` for a function that declares none: it keeps every schema (admin-api, …).
 * `calls: CALLS_NONE` declares that it calls none: with no catalog route either, it holds no schema (the
 * charging consumer, which plans pushes others send and reads partner records, never a payload).
 */
export const catalogInterfaces = (decl: Pick<FunctionDecl, 'triggers' | 'calls'>): readonly string[] | undefined => {
  const names = new Set<string>(INTERFACE_NAMES);
  // a misspelt call would prune the schemas it needs: refused at synth (and in every suite that builds the topology)
  const unknown = (decl.calls ?? []).filter((n) => !names.has(n));
  if (unknown.length) throw new Error(`calls names no catalog interface: ${unknown.join(', ')} (shared/tcec/interfaces.ts)`);
  const served = decl.triggers.flatMap((t) => (t.type === 'http' ? [t.path.slice(t.path.lastIndexOf('/') + 1)] : []));
  const declared = [...new Set([...served, ...(decl.calls ?? [])])].filter((n) => names.has(n));
  return declared.length || decl.calls ? declared : undefined;
};

/**
 * T/CEC codec throughput: encode+sign and verify+decode per second for a 200-byte and a 10 KB
 * Data, next to the raw node:crypto floor (AES-128-CBC encrypt + HMAC-MD5 of the same bytes
 * alone). Prints a table; asserts nothing.
 *
 *   npx tsx bench/codec.bench.ts
 */
import { createCipheriv, createHmac } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { decodeRequestData, encodeRequest, parseRequestEnvelope, verifyRequestSig } from '../shared/tcec/envelope.ts';

const secrets = {
  operatorSecret: 'Op5Ec7Rt9Yu1Io3P',
  dataSecret: '4Rf8Yk2Lp9Wq6Zs1',
  dataSecretIV: 'Iv7Xc3Nb5Mv8Hq2T',
  sigSecret: 'Sg9Kd4Jh6Fa1Pe3R',
};
const KEY = Buffer.from(secrets.dataSecret, 'utf8');
const IV = Buffer.from(secrets.dataSecretIV, 'utf8');

export interface BenchRow {
  data: string;
  bytes: number;
  'encode+sign ops/s': number;
  'verify+decode ops/s': number;
  'node:crypto floor ops/s': number;
  'encode / floor': string;
  'decode / floor': string;
}

/** A realistic Data object whose compact JSON is `size` UTF-8 bytes (Chinese included). */
function payloadOf(size: number): Record<string, unknown> {
  const base = { StationID: 'ST0001', StationName: '测试充电站（北京）', ConnectorID: '1010000000000000000000001', Soc: 56.3, Filler: '' };
  const overhead = Buffer.byteLength(JSON.stringify(base), 'utf8');
  return { ...base, Filler: 'x'.repeat(Math.max(0, size - overhead)) };
}

function opsPerSecond(fn: () => void, minMs = 400): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    elapsed = performance.now() - start;
  }
  return Math.round((n * 1000) / elapsed);
}

let _sink = 0; // keeps results observable so nothing is optimised away

export function main(): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const [label, size] of [
    ['200 B', 200],
    ['10 KB', 10 * 1024],
  ] as const) {
    const data = payloadOf(size);
    const plain = Buffer.from(JSON.stringify(data), 'utf8');
    const env = encodeRequest({ operatorId: 'MA59J8YL8', data, secrets, timeStamp: '20240315093045', seq: '0001' });
    const body = JSON.stringify(env);

    const encode = opsPerSecond(() => {
      _sink += encodeRequest({ operatorId: 'MA59J8YL8', data, secrets, timeStamp: '20240315093045', seq: '0001' }).Sig.length;
    });
    const decode = opsPerSecond(() => {
      const e = parseRequestEnvelope(body);
      if (!verifyRequestSig(e, secrets.sigSecret)) throw new Error('bench envelope does not verify');
      _sink += decodeRequestData(e, secrets) === undefined ? 0 : 1;
    });
    const floor = opsPerSecond(() => {
      const c = createCipheriv('aes-128-cbc', KEY, IV);
      const ct = Buffer.concat([c.update(plain), c.final()]);
      _sink += ct.length + createHmac('md5', secrets.sigSecret).update(plain).digest().length;
    });
    rows.push({
      data: label,
      bytes: plain.length,
      'encode+sign ops/s': encode,
      'verify+decode ops/s': decode,
      'node:crypto floor ops/s': floor,
      'encode / floor': `${((encode / floor) * 100).toFixed(0)} %`,
      'decode / floor': `${((decode / floor) * 100).toFixed(0)} %`,
    });
  }
  console.log(`T/CEC codec throughput (node ${process.version}, single thread)`);
  console.table(rows);
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}

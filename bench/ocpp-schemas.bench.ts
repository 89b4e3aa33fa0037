/**
 * `npm run bench -- ocpp-schemas` — what checking an OCPP 1.6J payload against its schema costs:
 * the platform's checks (shared/ocpp/schemas.ts: ocpp-rpc's schemas walked by
 * shared/ocpp/json-schema.ts) next to ocpp-rpc's own validator (ajv, the schemas compiled at run
 * time), on the payloads a session is made of, valid and invalid. Checks per second (the median of
 * 5 rounds), and what the walk costs per message in µs. Prints figures; asserts nothing.
 */
import schemas from 'ocpp-rpc/lib/schemas/ocpp1_6.json' with { type: 'json' };
import { createValidator } from 'ocpp-rpc/lib/validator.js';
import { checkAnswer, checkCall, checkOurCall } from '../shared/ocpp/schemas.ts';
import { remoteStartWithProfile } from '../test/support/ocpp-payloads.ts';

const ts = '2026-11-30T10:00:00Z';
const meterValues = {
  connectorId: 1,
  transactionId: 7,
  meterValue: [
    {
      timestamp: ts,
      sampledValue: [
        { value: '1234.5', measurand: 'Energy.Active.Import.Register', unit: 'Wh', context: 'Sample.Periodic' },
        { value: '7.2', measurand: 'Power.Active.Import', unit: 'kW' },
        { value: '230', measurand: 'Voltage', unit: 'V', phase: 'L1' },
      ],
    },
  ],
};

type Check = (action: string, payload: unknown) => unknown;
const CASES: ReadonlyArray<{ name: string; action: string; kind: 'req' | 'conf'; check: Check; payload: unknown }> = [
  {
    name: 'StatusNotification',
    action: 'StatusNotification',
    kind: 'req',
    check: checkCall,
    payload: { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: ts },
  },
  { name: 'MeterValues, 3 samples', action: 'MeterValues', kind: 'req', check: checkCall, payload: meterValues },
  {
    name: 'StartTransaction',
    action: 'StartTransaction',
    kind: 'req',
    check: checkCall,
    payload: { connectorId: 1, idTag: 'TAG', meterStart: 0, timestamp: ts },
  },
  {
    name: 'RemoteStartTransaction + profile (ours)',
    action: 'RemoteStartTransaction',
    kind: 'req',
    check: checkOurCall,
    payload: remoteStartWithProfile(32.5),
  },
  { name: 'an answer: Accepted', action: 'RemoteStartTransaction', kind: 'conf', check: checkAnswer, payload: { status: 'Accepted' } },
  {
    name: 'invalid: bad date deep in MeterValues',
    action: 'MeterValues',
    kind: 'req',
    check: checkCall,
    payload: { ...meterValues, meterValue: [{ ...meterValues.meterValue[0], timestamp: '2026-02-30T10:00:00Z' }] },
  },
];

const ocppRpc = createValidator('ocpp1.6', schemas);

/** checks per second: the median of 5 rounds of `n` */
const rate = (f: () => void, n = 50_000): number => {
  for (let i = 0; i < n / 10; i++) f();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) f();
    rounds.push(n / ((performance.now() - t) / 1000));
  }
  return rounds.sort((a, b) => a - b)[2] as number;
};

console.log('OCPP 1.6J payload checks (checks/s, median of 5 rounds)');
console.log(`${'payload'.padEnd(42)} ${'platform'.padStart(10)} ${'µs each'.padStart(8)} ${'ocpp-rpc (ajv)'.padStart(15)}`);
for (const c of CASES) {
  const ours = rate(() => c.check(c.action, c.payload));
  const theirs = rate(() => {
    try {
      ocppRpc.validate(`urn:${c.action}.${c.kind}`, c.payload);
    } catch {
      // an invalid payload throws there: the same work
    }
  });
  console.log(
    `${c.name.padEnd(42)} ${Math.round(ours).toLocaleString('en').padStart(10)} ${(1e6 / ours).toFixed(2).padStart(8)} ${Math.round(theirs).toLocaleString('en').padStart(15)}`,
  );
}

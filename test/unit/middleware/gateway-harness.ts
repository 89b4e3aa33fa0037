/**
 * In-process harness for the T/CEC gateway (shared/middleware/tcec-gateway.ts), middy-style: no
 * platform, no DynamoDB, no Secrets Manager. aws-sdk-client-mock answers the DynamoDB document
 * client (partners, tokens) and Secrets Manager (partner secrets); time is injected.
 * Used by test/unit/middleware/tcec-gateway.test.ts and test/fuzz/gateway.fuzz.test.ts.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { resetConfig } from '../../../shared/config.ts';
import { resetPartnerGuards } from '../../../shared/middleware/partner-guards.ts';
import { resetForcedReads } from '../../../shared/middleware/tcec-gateway.ts';
import { GetCommand, PutCommand } from '../../../shared/store/doc.ts';
import { clearPartnerCache, type Partner } from '../../../shared/store/partners.ts';
import type { PartnerSecrets } from '../../../shared/store/secrets.ts';
import { forgetResolvedTokens, hashToken } from '../../../shared/store/tokens.ts';
import type { SecretSet } from '../../../shared/tcec/crypto.ts';
import { encodeRequest } from '../../../shared/tcec/envelope.ts';
import { chinaTimeStamp } from '../../../shared/tcec/time.ts';
import { stubDocumentClient } from '../../support/doc-stub.ts';

export const TABLES = { partners: 'test-partners', tokens: 'test-tokens' } as const;
export const MAX_BODY_BYTES = 4096;

/** the gateway's configuration, set before the first config() read */
export const configureEnv = (): void => {
  process.env.TABLE_PARTNERS = TABLES.partners;
  process.env.TABLE_TOKENS = TABLES.tokens;
  process.env.MAX_BODY_BYTES = String(MAX_BODY_BYTES);
  process.env.TIMESTAMP_WINDOW_SECONDS = '600';
  process.env.SECRETS_PREFIX = 'test/';
  process.env.AWS_REGION ??= 'cn-north-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  resetConfig();
};

export const NOW = new Date('2026-11-23T01:30:45.000Z');
export const clock = (): Date => NOW;

const secretSet = (tag: string): SecretSet => ({
  operatorSecret: `operator-secret-${tag}`,
  dataSecret: `d${tag}`.padEnd(16, 'x').slice(0, 16),
  dataSecretIV: `i${tag}`.padEnd(16, 'y').slice(0, 16),
  sigSecret: `sig-secret-${tag}`,
});

export interface TestPartner {
  partner: Partner;
  secrets: PartnerSecrets;
  token: string;
}

const partner = (operatorId: string, dialect: Partner['dialect'], extra: Partial<Partner> = {}): Partner => ({
  operatorId,
  name: `partner ${operatorId}`,
  dialect,
  stations: '*',
  status: 'active',
  features: { queryChargeInfo: false },
  // the fixed test clock never refills a bucket: a budget no test of the pipeline exhausts
  rateLimit: { rps: 1000, burst: 100_000 },
  ...extra,
});

/** A cec2016 partner, a xiaoju partner, a partner in a rotation grace period, a suspended one. */
export const PARTNERS = {
  cec: { partner: partner('MA01H3BQ2', 'cec2016'), secrets: { inbound: secretSet('cec') }, token: 'a'.repeat(64) },
  xiaoju: { partner: partner('MA6DP5Q10', 'xiaoju'), secrets: { inbound: secretSet('xj') }, token: 'b'.repeat(64) },
  rotating: {
    partner: partner('MA0ROTAT1', 'cec2016'),
    secrets: { inbound: secretSet('new'), previousInbound: { set: secretSet('old'), validUntil: NOW.getTime() + 60_000 } },
    token: 'c'.repeat(64),
  },
  suspended: {
    partner: partner('MA0SUSPE1', 'cec2016', { status: 'suspended' }),
    secrets: { inbound: secretSet('sus') },
    token: 'd'.repeat(64),
  },
} satisfies Record<string, TestPartner>;

export const KNOWN: readonly TestPartner[] = Object.values(PARTNERS);

/** Partners on an OEM's profile (served by its own stack), registered beside KNOWN: one derived, one kept on the core. */
export const OEM_PARTNERS = {
  oem: {
    partner: partner('MA0OEMEX1', 'cec2016', { profile: 'oem-example' }),
    secrets: { inbound: secretSet('oem') },
    token: 'f'.repeat(64),
  },
  keptOnCore: {
    partner: partner('MA0OEMEX2', 'cec2016', { profile: 'oem-example', servedBy: 'core' }),
    secrets: { inbound: secretSet('oemcore') },
    token: '0'.repeat(64),
  },
} satisfies Record<string, TestPartner>;
/** a partner whose token has expired */
export const EXPIRED_TOKEN = 'e'.repeat(64);

const ddb = stubDocumentClient();
let sm = mockClient(SecretsManagerClient);

/** (Re)installs the mocks' answers and empties the module caches: every test starts alike. */
export const installMocks = (): void => {
  // another file of the unit lane (isolate: false) may have restored the real send since this module loaded
  ddb.install().reset();
  sm = mockClient(SecretsManagerClient);
  clearPartnerCache();
  resetForcedReads();
  resetPartnerGuards();
  forgetResolvedTokens();
  // the general answers first: a more specific matcher registered later wins
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  const notFound = Object.assign(new Error('Secrets Manager can’t find the specified secret.'), { name: 'ResourceNotFoundException' });
  sm.on(GetSecretValueCommand).rejects(notFound);
  for (const p of [...KNOWN, ...Object.values(OEM_PARTNERS)]) {
    ddb.on(GetCommand, { TableName: TABLES.partners, Key: { pk: `PARTNER#${p.partner.operatorId}` } }).resolves({ Item: { ...p.partner } });
    ddb
      .on(GetCommand, { TableName: TABLES.tokens, Key: { pk: `TOKEN#${hashToken(p.token)}` } })
      .resolves({ Item: { operatorId: p.partner.operatorId, expiresAt: NOW.getTime() + 3_600_000 } });
    sm.on(GetSecretValueCommand, { SecretId: `test/partners/${p.partner.operatorId}` }).resolves({
      SecretString: JSON.stringify(p.secrets),
    });
  }
  ddb
    .on(GetCommand, { TableName: TABLES.tokens, Key: { pk: `TOKEN#${hashToken(EXPIRED_TOKEN)}` } })
    .resolves({ Item: { operatorId: PARTNERS.cec.partner.operatorId, expiresAt: NOW.getTime() - 1 } });
};

/** how many times Secrets Manager was asked */
/**
 * The real document client and Secrets Manager `send` again: every file that installs the mocks
 * calls it after its tests, or the unit lane's next file (isolate: false) would talk to the stubs.
 */
export const restoreMocks = (): void => {
  ddb.restore();
  sm.restore();
};

export const secretReads = (): number => sm.commandCalls(GetSecretValueCommand).length;

let seqCounter = 0;
/** a fresh envelope Seq per request (the gateway refuses a replayed envelope) */
const nextSeq = (): string => String((seqCounter++ % 9999) + 1).padStart(4, '0');

/** A signed, encrypted request body of `p` (or with other secrets / time). */
export const requestBody = (
  p: TestPartner,
  data: unknown,
  opts: { secrets?: SecretSet; at?: Date; operatorId?: string; seq?: string } = {},
): string =>
  JSON.stringify(
    encodeRequest({
      operatorId: opts.operatorId ?? p.partner.operatorId,
      data,
      secrets: opts.secrets ?? p.secrets.inbound,
      timeStamp: chinaTimeStamp(opts.at ?? NOW),
      seq: opts.seq ?? nextSeq(),
    }),
  );

export const httpEvent = (body: string | undefined, token?: string, iface = 'query_start_charge'): APIGatewayProxyEventV2 => ({
  version: '2.0',
  routeKey: `POST /evcs/v1/${iface}`,
  rawPath: `/evcs/v1/${iface}`,
  rawQueryString: '',
  headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
  requestContext: {
    accountId: '000000000000',
    apiId: 'local',
    domainName: 'localhost',
    domainPrefix: 'localhost',
    http: { method: 'POST', path: `/evcs/v1/${iface}`, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
    requestId: 'req-1',
    routeKey: `POST /evcs/v1/${iface}`,
    stage: '$default',
    time: '23/Nov/2026:01:30:45 +0000',
    timeEpoch: NOW.getTime(),
  },
  ...(body === undefined ? {} : { body }),
  isBase64Encoded: false,
});

export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'query-start-charge',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:cn-north-1:000000000000:function:query-start-charge',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/query-start-charge',
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

export type GatewayHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

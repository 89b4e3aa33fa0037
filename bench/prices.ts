/**
 * Public on-demand AWS prices the cost bench multiplies its counts by — THE one place they live.
 *
 * Region: us-east-1. The stack is environment-agnostic (infra/app.ts takes CDK_DEFAULT_REGION, cdk.json
 * sets none, the local runtime only labels itself ap-northeast-1), so the bench prices the reference
 * region every AWS price page leads with; other regions differ by a few to ~30 %.
 *
 * Prices as known in 2025–2026 (checked against the pages below as of 2025; the DynamoDB on-demand
 * prices are those after the November 2024 cut). Free tiers are ignored: the operator profile is far
 * beyond them. Re-check the pages before quoting a bill.
 *
 *   Lambda            https://aws.amazon.com/lambda/pricing/            arm64, first 7.5 B GB-s/month tier
 *   DynamoDB          https://aws.amazon.com/dynamodb/pricing/on-demand/ on-demand, Standard table class
 *   EventBridge       https://aws.amazon.com/eventbridge/pricing/        custom events, 64 KB chunks; archive per GB
 *   SQS               https://aws.amazon.com/sqs/pricing/                standard queue $0.40/M, FIFO $0.50/M, 64 KB chunks, beyond 1 M free
 *   API Gateway       https://aws.amazon.com/api-gateway/pricing/        HTTP API, first 300 M/month, 512 KB increments
 *   Secrets Manager   https://aws.amazon.com/secrets-manager/pricing/    API calls; secrets stored per month
 *   CloudWatch Logs   https://aws.amazon.com/cloudwatch/pricing/         Standard log class ingestion
 *   X-Ray             https://aws.amazon.com/xray/pricing/               traces recorded (the stack sets Tracing.ACTIVE)
 */

export const PRICES_DATE = '2025 (us-east-1 public on-demand; valid as known for 2025–2026)';
export const PRICES_REGION = 'us-east-1';

export const PRICES = {
  /** $ per GB-second, arm64 */
  lambdaGbSecond: 0.0000133334,
  /** $ per request */
  lambdaRequest: 0.2 / 1e6,
  /** $ per write request unit (on-demand) */
  dynamoWriteUnit: 0.625 / 1e6,
  /** $ per read request unit (on-demand) */
  dynamoReadUnit: 0.125 / 1e6,
  /** $ per custom event (each 64 KB chunk of an entry is one event) */
  eventBridgeEvent: 1.0 / 1e6,
  /** $ per GB of events archived (the stack archives the bus) */
  eventBridgeArchiveGb: 0.1,
  /** $ per standard-queue request (each 64 KB chunk of a request is one request) */
  sqsRequest: 0.4 / 1e6,
  /** $ per FIFO-queue request (the push lanes, issue 9 §3) */
  sqsFifoRequest: 0.5 / 1e6,
  /** $ per HTTP API request (512 KB increments) */
  apiHttpRequest: 1.0 / 1e6,
  /** $ per Secrets Manager API call */
  secretsApiCall: 0.05 / 10_000,
  /** $ per secret stored per month */
  secretMonth: 0.4,
  /** $ per GB of CloudWatch Logs ingested (Standard class) */
  logsIngestGb: 0.5,
  /** $ per X-Ray trace recorded */
  xrayTrace: 5.0 / 1e6,
} as const;

export type Prices = { readonly [K in keyof typeof PRICES]: number };

/**
 * Lambda's CPU: a function gets memory / 1,769 MB of a vCPU (one full vCPU at 1,769 MB), so at 512 MB
 * CPU work takes ~3.5× as long as on a full core. https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
 */
export const LAMBDA_FULL_VCPU_MB = 1769;

/**
 * The latency (ms) of one call from a warm Lambda in the same region, as the cost bench models a
 * function's waits in its own sandbox (bench/cost/meter.ts modelledWaitMs) — assumed typical
 * figures, not measured: DynamoDB Local on this shared machine answers in 1–20 ms alone and in
 * hundreds of ms under the bench's load, which says nothing about DynamoDB. Check them against X-Ray
 * segments in AWS before quoting a bill. By `Service:Command`, else by service, else `default`.
 *
 *   DynamoDB          "single-digit millisecond" single-item reads and writes (aws.amazon.com/dynamodb, 2025):
 *                     5 ms an item, 10 ms a query/batch, 15 ms a transaction
 *   SQS               "tens or low hundreds of milliseconds" for SendMessage / ReceiveMessage / DeleteMessage
 *                     (Amazon SQS FAQs, 2025): 20 ms
 *   EventBridge       PutEvents: 20 ms (as SQS: a durable write to a regional service)
 *   Secrets Manager   GetSecretValue: 20 ms (cached by the handlers: rare)
 *   API Gateway       PostToConnection (a pile command over OCPP in AWS; locally the simulator's loopback): 20 ms
 *   a partner's HTTP  100 ms: another company's server over the Internet (TLS connection kept alive);
 *                     the partner's own answer time, not ours to make shorter
 */
export const AWS_LATENCY_MS: Readonly<Record<string, number>> = {
  DynamoDB: 5,
  'DynamoDB:Query': 10,
  'DynamoDB:Scan': 10,
  'DynamoDB:BatchGetItem': 10,
  'DynamoDB:BatchWriteItem': 10,
  'DynamoDB:TransactWriteItems': 15,
  'DynamoDB:TransactGetItems': 15,
  SQS: 20,
  EventBridge: 20,
  'Secrets Manager': 20,
  'HTTP pile': 20,
  'HTTP partner': 100,
  default: 20,
};

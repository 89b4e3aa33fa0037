/**
 * The settings every AWS SDK client of the platform is built with (DynamoDB under our document layer,
 * SQS, EventBridge, Secrets Manager, the WebSocket API's management API), in Lambda and locally alike.
 *
 * `cacheMiddleware`: the client resolves its middleware stack once per command class instead of on
 * every call (cloning and sorting ~25 middleware, then building the chain): −150 to −450 µs of CPU
 * per call measured locally (`npm run bench -- sdk-calls`, README "Node CPU per AWS SDK call"). The
 * price: middleware added to such a client after its first call of a command is ignored — none of
 * ours adds any (Powertools adds its user agent when it is given the client, before any call; tests
 * wrap `send` instead, test/support/dynamo-sends.ts). The resolved handler shares one context among
 * concurrent calls of a command; every value the SDK writes there (endpoint, signing region and
 * name, identity) is the same for every call of these clients (DynamoDB: plain table names, so one
 * endpoint per process). Not for:
 *   - lib-dynamodb's document client, which refuses it (its commands' marshalling closes over the
 *     first command): hence shared/store/doc.ts, our document layer on the low-level client;
 *   - S3: an object call's endpoint depends on its bucket, so concurrent calls would share it.
 */
export const SDK_CLIENT_DEFAULTS = { cacheMiddleware: true } as const;

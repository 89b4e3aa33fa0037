/** Schedule (slow): poll the connector status of every roam-out partner's stations — the fallback to its pushes. */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#powertools';
import { forEachRoamOutPartner, pollPartnerStatus } from '../../shared/services/roaming-catalog.ts';

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const { ok, failed } = await forEachRoamOutPartner((p) => pollPartnerStatus(p));
    return { connectors: ok.reduce((s, n) => s + n, 0), failed };
  });

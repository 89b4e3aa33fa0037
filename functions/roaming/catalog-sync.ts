/** Schedule: pull every roam-out partner's station catalog (incrementally after the first complete pull). */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#powertools';
import { forEachRoamOutPartner, syncPartnerCatalog } from '../../shared/services/roaming-catalog.ts';

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const { ok, failed } = await forEachRoamOutPartner((p) => syncPartnerCatalog(p));
    return { synced: ok.length, failed };
  });

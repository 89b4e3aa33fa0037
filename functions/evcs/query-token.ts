/** T/CEC 102 §3.0 query_token — a partner exchanges its OperatorSecret for an access token. */

import { decideToken, type TokenRequest, type TokenResponse, tokenRefused } from '../../shared/domain/token.ts';
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { getPartnerSecrets } from '../../shared/store/secrets.ts';
import { issueToken } from '../../shared/store/tokens.ts';

export const handler = tcecHandler<TokenRequest, TokenResponse>(
  'query_token',
  async ({ envelope, data, now }) => {
    const secrets = await getPartnerSecrets(envelope.OperatorID);
    const accepted = [
      secrets?.inbound.operatorSecret,
      secrets?.previousInbound && secrets.previousInbound.validUntil > now.getTime()
        ? secrets.previousInbound.set.operatorSecret
        : undefined,
    ].filter((s): s is string => typeof s === 'string');
    const decision = decideToken(envelope.OperatorID, data, accepted);
    if (!decision.ok) return tokenRefused(data.OperatorID, decision.failReason);
    const issued = await issueToken(envelope.OperatorID, now);
    return {
      OperatorID: envelope.OperatorID,
      SuccStat: 0,
      AccessToken: issued.token,
      TokenAvailableTime: issued.availableSeconds,
      FailReason: 0,
    };
  },
  { requireToken: false },
);

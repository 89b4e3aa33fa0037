/** T/CEC 102 §3.0 query_token — a partner exchanges its OperatorSecret for an access token. */

import { acceptedInboundSets, decideToken, tokenRefused } from '../../shared/domain/token.ts';
import { tcecHandler } from '../../shared/middleware/tcec-gateway.ts';
import { getPartnerSecrets } from '../../shared/store/secrets.ts';
import { issueToken } from '../../shared/store/tokens.ts';

export const handler = tcecHandler(
  'query_token',
  async ({ envelope, data, now }) => {
    const secrets = await getPartnerSecrets(envelope.OperatorID);
    const accepted = secrets ? acceptedInboundSets(secrets, now).map((s) => s.operatorSecret) : [];
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

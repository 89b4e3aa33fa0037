/**
 * Sending a text frame to a charge point's WebSocket: API Gateway's PostToConnection on the
 * WebSocket API's management endpoint (OCPP_CALLBACK_URL). The local runtime serves the same
 * operation (`POST /@connections/{id}`) on its AWS emulator, so this code runs unchanged there.
 */
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { config } from '../config.ts';
import { SDK_CLIENT_DEFAULTS } from '../sdk-clients.ts';

const clients = new Map<string, ApiGatewayManagementApiClient>();

const client = (): ApiGatewayManagementApiClient => {
  const endpoint = config().OCPP_CALLBACK_URL;
  if (!endpoint) throw new Error('configuration: OCPP_CALLBACK_URL is not set (the WebSocket API management endpoint)');
  let c = clients.get(endpoint);
  if (!c) {
    c = new ApiGatewayManagementApiClient({ ...SDK_CLIENT_DEFAULTS, endpoint });
    clients.set(endpoint, c);
  }
  return c;
};

/** Posts one frame; false when the connection is gone (HTTP 410), throws on any other failure. */
export const postToConnection = async (connectionId: string, text: string): Promise<boolean> => {
  try {
    await client().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode(text) }));
    return true;
  } catch (err) {
    if (err instanceof GoneException || (err as { name?: string }).name === 'GoneException') return false;
    throw err;
  }
};

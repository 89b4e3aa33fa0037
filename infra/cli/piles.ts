/**
 * `npm run evcs -- piles …`: the OCPP charge points.
 *
 *   piles credentials --equipment-id ID [--rotate]   print (locally) or rotate a charge point's password
 *   piles reset --equipment-id ID [--type Soft|Hard]
 *   piles unlock --equipment-id ID --connector N
 *   piles availability --equipment-id ID [--connector N (0 = the whole charge point)] --type Operative|Inoperative
 *   piles trigger --equipment-id ID --message BootNotification|Heartbeat|StatusNotification|MeterValues|… [--connector N]
 *
 * Calls go to the connected charge point through the OCPP gateway (PostToConnection); the CLI
 * waits up to the call timeout for the charge point's answer and prints it.
 */
import { config } from '../../shared/config.ts';
import type { OutgoingAction } from '../../shared/domain/ocpp.ts';
import { sendCall } from '../../shared/services/ocpp.ts';
import { chargePointPassword, rotateChargePointPassword } from '../../shared/services/ocpp-registry.ts';
import { getCallAnswer, getChargePoint } from '../../shared/store/ocpp.ts';

export interface PilesArgs {
  equipmentId?: string;
  rotate?: boolean;
  type?: string;
  connector?: string;
  message?: string;
  /** where the CLI is talking to: local (passwords may be printed) or AWS */
  local: boolean;
}

export const PILES_USAGE = `  npm run evcs -- piles credentials --equipment-id ID [--rotate]
  npm run evcs -- piles reset|unlock|availability|trigger --equipment-id ID [--connector N] [--type T] [--message M]`;

const connectorArg = (v: string | undefined, def?: number): number => {
  const n = v === undefined ? def : Number(v);
  if (n === undefined || !Number.isInteger(n) || n < 0) throw new Error('--connector must be a connector number (0 = the charge point)');
  return n;
};

const callOf = (verb: string, a: PilesArgs): { action: OutgoingAction; payload: Record<string, unknown> } | undefined => {
  switch (verb) {
    case 'reset':
      return { action: 'Reset', payload: { type: a.type ?? 'Soft' } };
    case 'unlock':
      return { action: 'UnlockConnector', payload: { connectorId: connectorArg(a.connector) } };
    case 'availability':
      return { action: 'ChangeAvailability', payload: { connectorId: connectorArg(a.connector, 0), type: a.type ?? 'Operative' } };
    case 'trigger':
      return {
        action: 'TriggerMessage',
        payload: {
          requestedMessage: a.message ?? 'StatusNotification',
          ...(a.connector !== undefined ? { connectorId: connectorArg(a.connector) } : {}),
        },
      };
    default:
      return undefined;
  }
};

/** Runs one `piles` verb; the exit code. */
export const pilesCommand = async (verb: string | undefined, a: PilesArgs, out: (line: string) => void): Promise<number> => {
  const id = a.equipmentId;
  if (!id) throw new Error('--equipment-id is required');
  const cp = await getChargePoint(id);
  if (!cp) throw new Error(`charge point ${id} is not registered (every EquipmentID of the imported stations is one)`);

  if (verb === 'credentials') {
    if (a.rotate) {
      const password = await rotateChargePointPassword(id);
      if (!password) throw new Error(`charge point ${id} is not registered`);
      out(`password of ${id} rotated; hand it to the charger over a secure channel (shown once):`);
      out(`  user ${id}  password ${password}   (HTTP Basic, OCPP security profile 1)`);
      return 0;
    }
    if (!a.local) throw new Error('passwords are printed only for the local platform; in AWS use --rotate');
    out(`charge point ${id}: connectors ${cp.connectors.map((c, i) => `${i + 1}=${c}`).join(', ')}${cp.simulated ? ' (simulated)' : ''}`);
    out(`  user ${id}  password ${await chargePointPassword(id)}   (unless the seed sets one of its own)`);
    return 0;
  }

  const call = callOf(verb ?? '', a);
  if (!call) return 2;
  const sent = await sendCall(id, call.action, call.payload);
  if (!sent.sent) {
    out(sent.reason === 'offline' ? `${id} is not connected` : `not a valid ${call.action}: ${sent.message ?? ''}`);
    return 1;
  }
  out(`${call.action} sent to ${id} (message ${sent.messageId}); waiting for the answer…`);
  const deadline = Date.now() + config().OCPP_CALL_TIMEOUT_SECONDS * 1000;
  while (Date.now() < deadline) {
    const answer = await getCallAnswer(sent.messageId);
    if (answer) {
      out(answer.kind === 'result' ? `answer: ${JSON.stringify(answer.payload)}` : `CALLERROR ${answer.code}: ${answer.description}`);
      return answer.kind === 'result' ? 0 : 1;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  out(`no answer within ${config().OCPP_CALL_TIMEOUT_SECONDS} s`);
  return 1;
};

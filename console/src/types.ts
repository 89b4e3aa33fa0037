/** The admin API's views, as shared/services/admin-views.ts returns them. */

interface Connector {
  ConnectorID: string;
  EquipmentID: string;
  status: number;
  parkStatus: number;
  lockStatus: number;
}
export interface Station {
  StationID: string;
  StationName: string;
  Address: string;
  StationLng: number;
  StationLat: number;
  connectors: Connector[];
}
interface Bill {
  TotalPower: number;
  TotalElecMoney?: number;
  TotalSeviceMoney?: number;
  TotalMoney: number;
}
export interface Session {
  StartChargeSeq: string;
  OperatorID?: string;
  ConnectorID?: string;
  status?: number;
  createdAt?: string;
  startedAt?: string;
  endedAt?: string;
  live?: { powerKw: number; soc: number; at: string };
  bill?: Bill;
  confirmResult?: number;
}
type Breaker = { state: 'closed'; failures: number } | { state: 'open'; until: number } | { state: 'half-open'; openUntil: number };
interface PartnerHealth {
  OperatorID: string;
  name: string;
  status: string;
  pushes: boolean;
  breaker?: Breaker;
  parked: number;
  lastError?: { at?: string; iface?: string; msg?: string };
}
export interface PartnersView {
  queue: { name: string; visible: number; inFlight: number; delayed: number; dlq: number };
  partners: PartnerHealth[];
}
export interface DlqMessage {
  messageId: string;
  sentAt?: string;
  receiveCount: number;
  partner?: string;
  iface?: string;
  pushId?: string;
  attempts?: number;
  reason?: string;
  body?: string;
}
export interface Dispute {
  OperatorID: string;
  day: string;
  StartChargeSeq: string;
  reason: number;
  CheckOrderSeq: string;
  ours?: { TotalPower: number; TotalMoney: number };
  theirs?: { TotalPower: number; TotalMoney: number };
}
export interface Sla {
  day: string;
  OperatorID: string;
  name: string;
  interface: string;
  deadlineSeconds: number;
  pushes: number;
  late: number;
  breached: boolean;
  meanLatencyMs: number;
  lastLatencyMs: number;
  lastAt: string;
  lastLateAt?: string;
  lastLateByMs?: number;
}
export interface ChargePoint {
  chargePointId: string;
  connectors: string[];
  simulated: boolean;
  connected: boolean;
  connectedAt?: string;
  bootedAt?: string;
}

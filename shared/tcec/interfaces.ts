/**
 * The T/CEC 102 interface catalog — declared ONCE. The router, the topology and
 * docs/conformance.md read it: name, reference section, who implements it, the request and
 * response Data schemas (shared/tcec/schemas.ts). A schema is built when it is first read
 * (`INTERFACES[name].request`), not at import. Each interface's description is the doc comment
 * above its declaration: no code reads it, so it is not carried in every function's bundle
 * (~6 KB of strings; issue 9 §4).
 */
import * as z from 'zod/mini';
import { atImport } from '../domain/once.ts';
import * as S from './schemas.ts';

export interface InterfaceDecl {
  /** the interface name exactly as it appears in the URL (case-sensitive) */
  name: string;
  /** section of /work/shared/reference/tcec102.md, e.g. '3.1' */
  section: string;
  /** cpo: we (the operator) serve it; partner: the customer-side platform serves it, we call it */
  implementedBy: 'cpo' | 'partner' | 'both';
  request: z.core.$ZodType;
  response: z.core.$ZodType;
  /**
   * not part of the 2016 standard: served only to a partner whose profile lists it in `extensions`
   * (shared/middleware/tcec-gateway.ts refuses everyone else with Ret 4004)
   */
  extension?: boolean;
  /** pushed only to supervision platforms (§5.3), as their profile lists it */
  supervision?: boolean;
  /** an extension designed here in the T/CEC style: no public contract exists (reference §5.5) */
  ours?: boolean;
}

/** A declaration as written below: the schemas as the catalog's builders (shared/tcec/schemas.ts), not yet built. */
type Declared = Omit<InterfaceDecl, 'request' | 'response'> & { request: () => z.core.$ZodType; response: () => z.core.$ZodType };
type Built<D extends Record<string, Declared>> = {
  readonly [K in keyof D]: Omit<D[K], 'request' | 'response'> & {
    readonly request: ReturnType<D[K]['request']>;
    readonly response: ReturnType<D[K]['response']>;
  };
};

/**
 * The declarations with `request` and `response` as getters: a schema is built on its first read
 * (and kept by its builder), so importing the catalog builds none and a function builds only the
 * interfaces it serves, pushes or calls (issue 9 §4; test/unit/tcec/lazy-catalog.test.ts).
 */
/** the interfaces whose schemas this bundle left out (`unbundled` getters) */
const dropped = new Set<string>();

function lazily<D extends Record<string, Declared>>(decls: D): Built<D> {
  for (const d of Object.values(decls)) {
    const { request, response } = d;
    if (request === unbundled) dropped.add(d.name);
    Object.defineProperties(d, {
      request: { get: mirrored(request), enumerable: true },
      response: { get: mirrored(response), enumerable: true },
    });
  }
  return decls as unknown as Built<D>;
}

/**
 * Outside a bundle, the interfaces the running code may read the schemas of, as its bundle would hold
 * them (`mirrorBundledCatalog`): unset, all of them.
 */
let held: ((iface: string) => boolean) | undefined;

/**
 * The local runtime mirrors each function's bundle (infra/topology/catalog.ts `catalogInterfaces`):
 * inside an invocation, reading the schemas of an interface its function does not declare fails as
 * it would in Lambda, so the suites catch a missing declaration the bundles would only show deployed.
 * `undefined` turns the mirror off.
 */
export const mirrorBundledCatalog = (holds: ((iface: string) => boolean) | undefined): void => {
  held = holds;
};

/** a schema getter that fails, as `unbundled`, for an interface the mirror says the running code does not hold */
const mirrored = (get: (this: { name: string }) => z.core.$ZodType) =>
  function (this: { name: string }): z.core.$ZodType {
    if (held && !held(this.name)) return unbundled.call(this);
    return get.call(this);
  };

/**
 * Which interfaces' schemas this bundle holds. Unbundled (the local runtime, tests, tools): all of
 * them (`process.env.EVCS_TCEC_<interface>` is unset). In a Lambda bundle, `evcsBundling`
 * (infra/constructs/evcs-function.ts) defines each of them as `"1"` for the interfaces the function
 * serves or calls (its topology declaration) and `""` for the others: esbuild folds each condition
 * below, so a function carries the schema builders of its own interfaces only (issue 9 §4). Names,
 * sections and flags stay for every interface. (A literal condition per schema: esbuild does not
 * fold a helper call, nor a constant read inside the closure.)
 */
/** The schema getter of an interface whose schemas this bundle left out: a loud error, never a silent pass. */
function unbundled(this: { name: string }): never {
  throw new Error(
    `the schemas of ${this.name} are not in this function's bundle: declare it in the function's topology entry (a route or \`calls\`)`,
  );
}

// atImport (shared/domain/once.ts): the declarations (template-literal descriptions, once) are calls to
// esbuild, which kept the whole catalog (and every schema builder) in any bundle importing this
// module without reading it — the charging timeouts through the partner record (issue 9 §4)
export const INTERFACES = /* @__PURE__ */ atImport(() =>
  lazily({
    /** Platform authentication: OperatorID + OperatorSecret → AccessToken valid TokenAvailableTime seconds. */
    query_token: {
      name: 'query_token',
      section: '3.0',
      implementedBy: 'both',
      request: process.env.EVCS_TCEC_query_token !== '' ? S.queryTokenRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_token !== '' ? S.queryTokenResponseSchema : unbundled,
    },
    /**
     * Paged station → equipment → connector master data (PageNo default 1, PageSize default 10,
     * max {@link S.MAX_PAGE_SIZE}), optionally only what changed after LastQueryTime.
     */
    query_stations_info: {
      name: 'query_stations_info',
      section: '3.1',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_stations_info !== '' ? S.queryStationsInfoRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_stations_info !== '' ? S.queryStationsInfoResponseSchema : unbundled,
    },
    /** Connector status of up to {@link S.MAX_STATION_IDS} stations. */
    query_station_status: {
      name: 'query_station_status',
      section: '3.2',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_station_status !== '' ? S.queryStationStatusRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_station_status !== '' ? S.queryStationStatusResponseSchema : unbundled,
    },
    /** Push of one connector status change; Status 1 in the reply means dropped, do not retry. */
    notification_stationStatus: {
      name: 'notification_stationStatus',
      section: '3.3',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_stationStatus !== '' ? S.notificationStationStatusRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_notification_stationStatus !== '' ? S.notificationStationStatusResponseSchema : unbundled,
    },
    /** Energy statistics of one station over a period, per equipment and connector (0.1 kWh). */
    query_station_stats: {
      name: 'query_station_stats',
      section: '3.4',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_station_stats !== '' ? S.queryStationStatsRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_station_stats !== '' ? S.queryStationStatsResponseSchema : unbundled,
    },
    /** Equipment authentication: is the connector ready (plugged in, healthy) for a start. */
    query_equip_auth: {
      name: 'query_equip_auth',
      section: '3.5',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_equip_auth !== '' ? S.queryEquipAuthRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_equip_auth !== '' ? S.queryEquipAuthResponseSchema : unbundled,
    },
    /** Time-of-use tariff of a connector (PolicyInfos: StartTime HHmmss, ElecPrice, SevicePrice). */
    query_equip_business_policy: {
      name: 'query_equip_business_policy',
      section: '3.6',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_equip_business_policy !== '' ? S.queryEquipBusinessPolicyRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_equip_business_policy !== '' ? S.queryEquipBusinessPolicyResponseSchema : unbundled,
    },
    /** Start charging on a connector under the caller-generated StartChargeSeq. */
    query_start_charge: {
      name: 'query_start_charge',
      section: '3.7',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_start_charge !== '' ? S.queryStartChargeRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_start_charge !== '' ? S.queryStartChargeResponseSchema : unbundled,
    },
    /** Push of the outcome of a start command. */
    notification_start_charge_result: {
      name: 'notification_start_charge_result',
      section: '3.8',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_start_charge_result !== '' ? S.notificationStartChargeResultRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_notification_start_charge_result !== '' ? S.chargeNotificationResponseSchema : unbundled,
    },
    /** Charging snapshot of a session (currents, voltages, Soc, energy, running cost). */
    query_equip_charge_status: {
      name: 'query_equip_charge_status',
      section: '3.9',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_equip_charge_status !== '' ? S.queryEquipChargeStatusRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_equip_charge_status !== '' ? S.equipChargeStatusSchema : unbundled,
    },
    /** Periodic push of the charging snapshot while a session runs. */
    notification_equip_charge_status: {
      name: 'notification_equip_charge_status',
      section: '3.9',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_equip_charge_status !== '' ? S.equipChargeStatusSchema : unbundled,
      response: process.env.EVCS_TCEC_notification_equip_charge_status !== '' ? S.chargeNotificationResponseSchema : unbundled,
    },
    /** Stop a running session. */
    query_stop_charge: {
      name: 'query_stop_charge',
      section: '3.10',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_stop_charge !== '' ? S.queryStopChargeRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_stop_charge !== '' ? S.queryStopChargeResponseSchema : unbundled,
    },
    /** Push of the outcome of a stop command. */
    notification_stop_charge_result: {
      name: 'notification_stop_charge_result',
      section: '3.11',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_stop_charge_result !== '' ? S.notificationStopChargeResultRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_notification_stop_charge_result !== '' ? S.chargeNotificationResponseSchema : unbundled,
    },
    /** Push of the final order (CDR) with per-period ChargeDetails; retried until ConfirmResult. */
    notification_charge_order_info: {
      name: 'notification_charge_order_info',
      section: '3.12',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_charge_order_info !== '' ? S.chargeOrderInfoSchema : unbundled,
      response: process.env.EVCS_TCEC_notification_charge_order_info !== '' ? S.notificationChargeOrderInfoResponseSchema : unbundled,
    },
    /** Reconciliation: the operator's order list of a period; the reply lists disputed orders. */
    check_charge_orders: {
      name: 'check_charge_orders',
      section: '3.13',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_check_charge_orders !== '' ? S.checkChargeOrdersRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_check_charge_orders !== '' ? S.checkChargeOrdersResponseSchema : unbundled,
    },
    /** Extension: order detail by StartChargeSeq (the §3.12 order fields plus StartChargeSeqStat). */
    query_charge_info: {
      name: 'query_charge_info',
      section: '3.14',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_charge_info !== '' ? S.queryChargeInfoRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_charge_info !== '' ? S.queryChargeInfoResponseSchema : unbundled,
      extension: true,
    },
    /**
     * Supervision (Beijing e充网): the order for the operating bonus — the §3.12 order plus ChargeModel,
     * UserName, StationID, EquipmentID, ConnectorPower, ChargeLast, MeterValueStart/End.
     */
    notification_charge_order_info_for_bonus: {
      name: 'notification_charge_order_info_for_bonus',
      section: '5.3',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_charge_order_info_for_bonus !== '' ? S.chargeOrderForBonusSchema : unbundled,
      response:
        process.env.EVCS_TCEC_notification_charge_order_info_for_bonus !== '' ? S.notificationChargeOrderInfoResponseSchema : unbundled,
      supervision: true,
    },
    /** Supervision (Chengdu): an order's subsidy record (energy and money it is paid on). */
    notification_records_amount_info: {
      name: 'notification_records_amount_info',
      section: '5.3',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_records_amount_info !== '' ? S.recordsAmountInfoSchema : unbundled,
      response: process.env.EVCS_TCEC_notification_records_amount_info !== '' ? S.chargeNotificationResponseSchema : unbundled,
      supervision: true,
    },
    /** Supervision (Chengdu): a station's info or tariff changed. */
    notification_station_change: {
      name: 'notification_station_change',
      section: '5.3',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_station_change !== '' ? S.stationChangeSchema : unbundled,
      response: process.env.EVCS_TCEC_notification_station_change !== '' ? S.supervisionReplySchema : unbundled,
      supervision: true,
    },
    /**
     * Supervision (provincial): a station's whole StationInfo (§3.1) when it is created or its info or
     * equipment changes; Status 1 in the reply means dropped, do not retry.
     */
    notification_stationInfo: {
      name: 'notification_stationInfo',
      section: '5.3',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_stationInfo !== '' ? S.stationInfoNotificationSchema : unbundled,
      response: process.env.EVCS_TCEC_notification_stationInfo !== '' ? S.notificationStationStatusResponseSchema : unbundled,
      supervision: true,
    },
    /** Supervision (provincial): the real-time charging power of each station. */
    notification_realtime_power_info: {
      name: 'notification_realtime_power_info',
      section: '5.3',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_realtime_power_info !== '' ? S.realtimePowerInfoSchema : unbundled,
      response: process.env.EVCS_TCEC_notification_realtime_power_info !== '' ? S.supervisionReplySchema : unbundled,
      supervision: true,
    },
    /**
     * Extension (reservation 预约充电): hold an idle connector for ReserveMinutes (bounded by the station policy);
     * it shows Status 4 and only this partner can start on it; the fee, if any, is answered and billed on the
     * order that uses it (its own first ChargeDetails line with zero prices and power, in
     * TotalSeviceMoney/TotalMoney; ReserveSeq, ReserveMoney); unused until it expires (a no-show), it bills
     * the fee plus the policy NoShowFee (NoShowMoney) once.
     */
    query_reserve_connector: {
      name: 'query_reserve_connector',
      section: '5.5',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_reserve_connector !== '' ? S.queryReserveConnectorRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_reserve_connector !== '' ? S.queryReserveConnectorResponseSchema : unbundled,
      extension: true,
      ours: true,
    },
    /**
     * Extension (reservation): release a reservation before it lapses (free); answers its state when it
     * already ended, and a no-show its NoShowMoney.
     */
    query_cancel_reservation: {
      name: 'query_cancel_reservation',
      section: '5.5',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_cancel_reservation !== '' ? S.queryCancelReservationRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_cancel_reservation !== '' ? S.queryCancelReservationResponseSchema : unbundled,
      extension: true,
      ours: true,
    },
    /**
     * Ours (预支付, no public contract): query_start_charge with PrepayMoney; the session stops itself
     * (StopReason 7) when the running bill reaches it, the final order carries PrepayMoney, ConsumedMoney,
     * RefundMoney.
     */
    query_start_charge_prepay: {
      name: 'query_start_charge_prepay',
      section: '5.5',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_start_charge_prepay !== '' ? S.queryStartChargePrepayRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_start_charge_prepay !== '' ? S.queryStartChargePrepayResponseSchema : unbundled,
      extension: true,
      ours: true,
    },
    /**
     * Ours (充电后支付, no public contract): the settlement of a pay-after order — SettleStatus 0 running, 1
     * payable to us (PayableMoney = TotalMoney), 2 paid.
     */
    query_order_settlement: {
      name: 'query_order_settlement',
      section: '5.5',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_order_settlement !== '' ? S.queryOrderSettlementRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_order_settlement !== '' ? S.orderSettlementSchema : unbundled,
      extension: true,
      ours: true,
    },
    /**
     * Ours (充电后支付): the partner reports it paid a payable order (PaySeq, PayMoney = PayableMoney); idempotent
     * per PaySeq.
     */
    query_order_pay: {
      name: 'query_order_pay',
      section: '5.5',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_order_pay !== '' ? S.queryOrderPayRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_order_pay !== '' ? S.queryOrderPayResponseSchema : unbundled,
      extension: true,
      ours: true,
    },
    /** Ours (充电后支付): push of a pay-after order's settlement when it becomes payable and when it is paid. */
    notification_order_settlement: {
      name: 'notification_order_settlement',
      section: '5.5',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_order_settlement !== '' ? S.orderSettlementSchema : unbundled,
      response: process.env.EVCS_TCEC_notification_order_settlement !== '' ? S.chargeNotificationResponseSchema : unbundled,
      extension: true,
      ours: true,
    },
    /**
     * Ours (卡券): query_start_charge with a coupon of the partner's user (CouponID + PhoneNum or UserID); its
     * discount comes off the service fee in ChargeDetails and the totals (CouponID, DiscountMoney in the
     * order); used at most once (FailReason 12).
     */
    query_start_charge_coupon: {
      name: 'query_start_charge_coupon',
      section: '5.5',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_start_charge_coupon !== '' ? S.queryStartChargeCouponRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_start_charge_coupon !== '' ? S.queryStartChargeCouponResponseSchema : unbundled,
      extension: true,
      ours: true,
    },
    /**
     * Extension (DiDi 1.4.0 ground locks 地锁): a station's parking-space locks with LockNum, WorkplaceName and
     * LockStatus (0 unknown/faulted, 10 dropped, 50 raised).
     */
    query_ground_locks: {
      name: 'query_ground_locks',
      section: '5.1',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_ground_locks !== '' ? S.queryGroundLocksRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_ground_locks !== '' ? S.queryGroundLocksResponseSchema : unbundled,
      extension: true,
    },
    /**
     * Extension (DiDi 1.4.0 ground locks): per station, may the caller drop its locks (granted and the station
     * has locks).
     */
    query_ground_lock_auth: {
      name: 'query_ground_lock_auth',
      section: '5.1',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_ground_lock_auth !== '' ? S.queryGroundLockAuthRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_ground_lock_auth !== '' ? S.queryGroundLockAuthResponseSchema : unbundled,
      extension: true,
    },
    /**
     * Extension (DiDi 1.4.0 ground locks): drop a space's lock for the caller's driver; answers a one-time
     * DropCode (ours); refused (FailReason, ours) when another partner's order or reservation holds the
     * connector or the lock is faulted. The lock rises again when the car has left.
     */
    query_drop_lock: {
      name: 'query_drop_lock',
      section: '5.1',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_drop_lock !== '' ? S.queryDropLockRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_drop_lock !== '' ? S.queryDropLockResponseSchema : unbundled,
      extension: true,
    },
    /**
     * Extension (DiDi 1.4.0 ground locks): the state of the drop in force (DropCode, DropInfo, LockStatus); a
     * spent or wrong DropCode is refused with Ret 4004.
     */
    query_drop_lock_result: {
      name: 'query_drop_lock_result',
      section: '5.1',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_drop_lock_result !== '' ? S.queryDropLockResultRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_drop_lock_result !== '' ? S.queryDropLockResultResponseSchema : unbundled,
      extension: true,
    },
    /**
     * Extension (DiDi 1.4.0 parking 停车费减免): an order's parking waiver: Duration (free minutes), CarNumber,
     * WaiverStatus (0 none, 1 waiting for the plate, 2 sending to the gate, 3 applied).
     */
    query_parking_free_info: {
      name: 'query_parking_free_info',
      section: '5.1',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_parking_free_info !== '' ? S.queryParkingFreeInfoRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_parking_free_info !== '' ? S.queryParkingFreeInfoResponseSchema : unbundled,
      extension: true,
    },
    /**
     * Extension (DiDi 1.4.0 parking): a station's waiver policy: WaiverType (0 none, 1 per session, 2 per
     * kWh), Duration (cap, minutes), Note.
     */
    query_parking_station: {
      name: 'query_parking_station',
      section: '5.1',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_parking_station !== '' ? S.queryParkingStationRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_parking_station !== '' ? S.queryParkingStationResponseSchema : unbundled,
      extension: true,
    },
    /**
     * Extension (DiDi 1.4.0 parking): apply a finished order's waiver at the car park's gate now (with the
     * plate, when given); SuccStat 0 once the gate took it.
     */
    query_parking_free_wave: {
      name: 'query_parking_free_wave',
      section: '5.1',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_parking_free_wave !== '' ? S.queryParkingFreeWaveRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_parking_free_wave !== '' ? S.parkingSuccSchema : unbundled,
      extension: true,
    },
    /**
     * Extension (DiDi 1.4.0 parking): set or correct the plate (CarNumber) of an order's waiver; a waiver
     * waiting for its plate is sent to the gate.
     */
    modify_parking_fee_wave_car_number: {
      name: 'modify_parking_fee_wave_car_number',
      section: '5.1',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_modify_parking_fee_wave_car_number !== '' ? S.modifyParkingCarNumberRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_modify_parking_fee_wave_car_number !== '' ? S.parkingSuccSchema : unbundled,
      extension: true,
    },
    /**
     * Ours (开票, no public contract): invoice 1–50 of the partner's finished orders to a buyer (BuyerName,
     * BuyerTaxID); recorded with every order marked in ONE conditional transaction, issued asynchronously (PDF
     * in S3). FailReason 1 order unknown or another partner's, 2 not finished, 3 already invoiced, 4 listed
     * twice, 5 nothing to invoice; a repeated InvoiceSeq gets the same answer.
     */
    query_invoice_apply: {
      name: 'query_invoice_apply',
      section: '5.5',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_invoice_apply !== '' ? S.queryInvoiceApplyRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_invoice_apply !== '' ? S.queryInvoiceApplyResponseSchema : unbundled,
      extension: true,
      ours: true,
    },
    /**
     * Ours (开票): an invoice's status — InvoiceStat 1 applied (issuing), 2 issued with InvoiceNo, IssueTime and
     * DownloadUrl (a presigned GET of the PDF, valid until UrlExpireTime).
     */
    query_invoice_info: {
      name: 'query_invoice_info',
      section: '5.5',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_invoice_info !== '' ? S.queryInvoiceInfoRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_invoice_info !== '' ? S.invoiceInfoSchema : unbundled,
      extension: true,
      ours: true,
    },
    /** Ours (开票): push of an invoice once issued (the query_invoice_info answer, with its DownloadUrl). */
    notification_invoice_info: {
      name: 'notification_invoice_info',
      section: '5.5',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_invoice_info !== '' ? S.invoiceInfoSchema : unbundled,
      response: process.env.EVCS_TCEC_notification_invoice_info !== '' ? S.notificationInvoiceInfoResponseSchema : unbundled,
      extension: true,
      ours: true,
    },
    /**
     * Ours (即插即充 plug-and-charge, no public contract): bind a car's VIN (ISO 3779, 17 characters; optional
     * PlateNum) to the partner's user; a charger reporting it at plug-in starts a session under the partner
     * without a QR scan. Binding again is idempotent (the plate updated); FailReason 1 bound to another
     * partner, 2 PlateNum not a plate.
     */
    query_vin_bind: {
      name: 'query_vin_bind',
      section: '5.5',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_vin_bind !== '' ? S.queryVinBindRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_vin_bind !== '' ? S.queryVinBindResponseSchema : unbundled,
      extension: true,
      ours: true,
    },
    /** Ours (plug-and-charge): release a VIN the partner bound; FailReason 1 not bound to this partner. */
    query_vin_unbind: {
      name: 'query_vin_unbind',
      section: '5.5',
      implementedBy: 'cpo',
      request: process.env.EVCS_TCEC_query_vin_unbind !== '' ? S.queryVinUnbindRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_query_vin_unbind !== '' ? S.queryVinUnbindResponseSchema : unbundled,
      extension: true,
      ours: true,
    },
    /**
     * Ours (plug-and-charge): a charger reported a car the partner bound and we started a session for it (the
     * binding pre-authorises it): StartChargeSeq we allocated under the partner's OperatorID, ConnectorID,
     * Vin, PlateNum, PlugTime. The session then runs as any other: notification_start_charge_result, status
     * and order pushes, query_stop_charge.
     */
    notification_vin_start_charge: {
      name: 'notification_vin_start_charge',
      section: '5.5',
      implementedBy: 'partner',
      request: process.env.EVCS_TCEC_notification_vin_start_charge !== '' ? S.notificationVinStartChargeRequestSchema : unbundled,
      response: process.env.EVCS_TCEC_notification_vin_start_charge !== '' ? S.chargeNotificationResponseSchema : unbundled,
      extension: true,
      ours: true,
    },
  } as const satisfies Record<string, Declared>),
);

export type InterfaceName = keyof typeof INTERFACES;
export type Direction = 'request' | 'response';

/** Canonical (parsed) Data of an interface's request / response. */
export type RequestData<N extends InterfaceName> = z.infer<(typeof INTERFACES)[N]['request']>;
export type ResponseData<N extends InterfaceName> = z.infer<(typeof INTERFACES)[N]['response']>;

/** The field schemas of a catalog object schema (a z.object behind the lenient key pre-pass). */
type ShapeOf<T> = T extends z.ZodMiniPipe<z.core.$ZodType, infer O> ? ShapeOf<O> : T extends z.ZodMiniObject<infer S> ? S : never;
/** Top-level keys whose schema has a default: the partner gets the default when we leave them out. */
type DefaultedKeys<S> = { [K in keyof S]: S[K] extends z.ZodMiniDefault | z.ZodMiniPrefault ? K : never }[keyof S];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * What a handler returns for interface N (and what may be handed to toWire): the canonical response
 * Data, where the top-level fields that have a catalog default (FailReason 0, SumPeriod 0, …) may be
 * left out. Every ResponseData<N> is a ResponseInput<N>. (z.input of the catalog schemas is `unknown`
 * because of the lenient pre-pass, so the input type is derived from the output type.)
 */
export type ResponseInput<N extends InterfaceName> = Simplify<
  Omit<ResponseData<N>, DefaultedKeys<ShapeOf<(typeof INTERFACES)[N]['response']>>> &
    Partial<Pick<ResponseData<N>, DefaultedKeys<ShapeOf<(typeof INTERFACES)[N]['response']>> & keyof ResponseData<N>>>
>;
export type DataOf<N extends InterfaceName, D extends Direction> = D extends 'request' ? RequestData<N> : ResponseData<N>;

export const INTERFACE_NAMES = /* @__PURE__ */ atImport(() => Object.keys(INTERFACES) as InterfaceName[]);

/** Does this bundle hold the schemas of `iface` (always, outside a Lambda bundle)? */
export const schemasBundled = (iface: InterfaceName): boolean => !dropped.has(iface) && (held === undefined || held(iface));

/** Is `iface` an extension (behind the profile switch)? */
export const isExtension = (iface: InterfaceName): boolean => (INTERFACES[iface] as InterfaceDecl).extension === true;

/** Names seen in the wild for the same interface (§1.3, §3.13): accept on the server side. */
const INTERFACE_ALIASES: Readonly<Record<string, InterfaceName>> = {
  notification_station_status: 'notification_stationStatus',
  check_charge_order: 'check_charge_orders',
};

function isInterfaceName(name: string): name is InterfaceName {
  return Object.hasOwn(INTERFACES, name);
}

/** Exact name or a known alias → the catalog name; undefined for anything else (case-sensitive, §1.3). */
export function resolveInterfaceName(name: string): InterfaceName | undefined {
  if (isInterfaceName(name)) return name;
  return Object.hasOwn(INTERFACE_ALIASES, name) ? INTERFACE_ALIASES[name] : undefined;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; msg: string };

/** Lenient parse + validation of one direction's Data; `msg` names the field (for Ret 4004). */
export function parseData<N extends InterfaceName, D extends Direction>(name: N, direction: D, data: unknown): ParseResult<DataOf<N, D>> {
  const decl: InterfaceDecl = INTERFACES[name];
  const schema = direction === 'request' ? decl.request : decl.response;
  const r = z.safeParse(schema, data);
  if (r.success) return { ok: true, value: r.data as DataOf<N, D> };
  return { ok: false, msg: S.formatZodIssue(r.error) };
}

export function parseRequestData<N extends InterfaceName>(name: N, data: unknown): ParseResult<RequestData<N>> {
  return parseData(name, 'request', data) as ParseResult<RequestData<N>>;
}

export function parseResponseData<N extends InterfaceName>(name: N, data: unknown): ParseResult<ResponseData<N>> {
  return parseData(name, 'response', data) as ParseResult<ResponseData<N>>;
}

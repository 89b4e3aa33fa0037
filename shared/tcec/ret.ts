/**
 * T/CEC 102 result codes (reference §1.6) and the error type that carries one.
 */
export const Ret = {
  Busy: -1,
  Ok: 0,
  SigError: 4001,
  TokenError: 4002,
  ParamError: 4003,
  BizError: 4004,
  SystemError: 500,
} as const;

export type RetCode = (typeof Ret)[keyof typeof Ret];

/**
 * A protocol-level failure. `msg` is the envelope Msg sent to the partner: it must never contain
 * secrets, tokens or decrypted Data.
 */
export class TcecError extends Error {
  override readonly name = 'TcecError';

  constructor(
    readonly ret: RetCode,
    readonly msg: string,
    options?: { cause?: unknown },
  ) {
    super(`T/CEC Ret ${ret}: ${msg}`, options);
  }
}

/**
 * We could not obtain a T/CEC envelope from the partner at all: network error, timeout, non-2xx
 * HTTP without a parseable envelope, or a body that is not a JSON envelope. `status` is the HTTP
 * status when there was one. The message never contains the response body.
 */
export class TcecTransportError extends Error {
  override readonly name = 'TcecTransportError';
  readonly status: number | undefined;

  constructor(message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }
}

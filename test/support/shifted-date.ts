/**
 * An injected clock for whole-platform tests: `Date` replaced by real time plus an offset the test
 * moves (`advance`), installed before the platform starts and removed after it stops.
 */
export const shiftedDate = () => {
  const RealDate = Date;
  let offsetMs = 0;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offsetMs);
      else super(...(args as [string | number | Date]));
    }
    static override now() {
      return RealDate.now() + offsetMs;
    }
  }
  return {
    install: () => {
      globalThis.Date = ShiftedDate as DateConstructor;
    },
    uninstall: () => {
      globalThis.Date = RealDate;
    },
    advance: (ms: number) => {
      offsetMs += ms;
    },
  };
};

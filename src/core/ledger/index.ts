// The token ledger: reservations, quotas, rate limit, degradation advice, request log and analytics.
export { Ledger } from './ledger';
export { Reservation } from './reservation';
export { QuotaExceededError, RateLimitedError, ReservationSettledError, LedgerBusyError, SETTING as LIMIT_SETTINGS, type QuotaKind } from './errors';
export { dayKey, monthKey, nextDayStart, nextMonthStart } from './clock';
export { DEFAULT_COMPLETION_ESTIMATE, MIN_SAMPLES, p90 } from './estimator';
export { SOFT_FRACTION, MIN_COMPLETION } from './degradation';
export type { ActiveReservation, Rollup } from './records';
export type * from './types';
export * from './hook';
export { LedgerService, type LedgerServiceOptions } from './ledgerService';
export { limitsFromConfig } from './limits';

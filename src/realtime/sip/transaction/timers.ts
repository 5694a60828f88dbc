/**
 * RFC 3261 §17 / Table 4 timer values. T1 is the RTT estimate every other
 * timer derives from; tests shrink it to run the full state machines quickly.
 */
export type TimerConfig = {
  /** RTT estimate (default 500 ms). */
  readonly t1: number;
  /** Cap on non-INVITE / response retransmission interval (default 4 s). */
  readonly t2: number;
  /** How long a message can live in the network (default 5 s). */
  readonly t4: number;
  /** Timer D: INVITE client waits for final-response retransmissions (>= 32 s on UDP). */
  readonly timerD: number;
  /**
   * After a CANCEL is answered, how long the TU has to send the INVITE's final
   * response before the engine sends 487 itself (leak guard, default 32 × T1).
   */
  readonly cancelGuard: number;
  /**
   * Longest an INVITE server transaction may stay in Proceeding without a final
   * response before the engine answers 408 (leak guard, default 200 s > Timer C).
   */
  readonly inviteServerTimeout: number;
  /** Timer C: an INVITE client transaction in Proceeding for this long is cancelled (default 200 s). */
  readonly timerC: number;
};

export function timerConfig(overrides: Partial<TimerConfig> = {}): TimerConfig {
  const t1 = overrides.t1 ?? 500;
  return {
    t1,
    t2: overrides.t2 ?? 4000,
    t4: overrides.t4 ?? 5000,
    timerD: overrides.timerD ?? Math.max(32_000, 64 * t1),
    cancelGuard: overrides.cancelGuard ?? 32 * t1,
    inviteServerTimeout: overrides.inviteServerTimeout ?? 200_000,
    timerC: overrides.timerC ?? 200_000,
  };
}

/** 64 × T1: timers B, F, H, J, L, M and the non-INVITE server leak guard. */
export function transactionTimeout(config: TimerConfig): number {
  return 64 * config.t1;
}

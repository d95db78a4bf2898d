/**
 * The simulated clock: simulated time runs `speed` times faster than real time.
 * It is rebased whenever the speed changes, so simulated time never jumps.
 */
export class SimulatedClock {
  private baseSimulatedMs: number;
  private baseRealMs: number;
  private currentSpeed: number;

  constructor(
    startSimulatedMs: number,
    speed: number,
    private readonly realNow: () => number = Date.now,
  ) {
    assertSpeed(speed);
    this.baseSimulatedMs = startSimulatedMs;
    this.baseRealMs = realNow();
    this.currentSpeed = speed;
  }

  get speed(): number {
    return this.currentSpeed;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return this.baseSimulatedMs + (this.realNow() - this.baseRealMs) * this.currentSpeed;
  }

  setSpeed(speed: number): void {
    assertSpeed(speed);
    this.baseSimulatedMs = this.now();
    this.baseRealMs = this.realNow();
    this.currentSpeed = speed;
  }

  /**
   * Moves simulated time forward by `ms` at once (tests that need "an hour later" without waiting for it
   * in real time, so the outcome does not depend on how fast the machine is); the speed is unchanged.
   */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`the clock only moves forward by a finite number of milliseconds, got ${ms}`);
    }
    this.baseSimulatedMs += ms;
  }

  /** Real seconds until the given simulated instant (0 when it is already past). */
  realSecondsUntil(simulatedMs: number): number {
    return Math.max(0, (simulatedMs - this.now()) / 1000 / this.currentSpeed);
  }
}

function assertSpeed(speed: number): void {
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new RangeError(
      `speed must be a positive number of simulated seconds per real second, got ${speed}`,
    );
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();

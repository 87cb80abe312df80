/** Discord's epoch (2015-01-01T00:00:00Z); snowflakes encode milliseconds since it in their top 42 bits. */
const DISCORD_EPOCH = 1_420_070_400_000n;

/**
 * Mints Discord-shaped snowflake ids that increase monotonically.
 *
 * discord.js derives `createdTimestamp` from ids and sorts collections by them, so the emulator issues real
 * snowflakes (time-based, with a per-millisecond counter) rather than arbitrary strings.
 */
export class SnowflakeGenerator {
  private lastMs = 0n;
  private increment = 0n;

  /** Returns a new id, strictly greater than every id this generator returned before. */
  next(): string {
    let now = BigInt(Date.now()) - DISCORD_EPOCH;
    if (now <= this.lastMs) {
      // Same (or clock-skewed) millisecond: bump the 12-bit counter, borrowing a millisecond when it overflows,
      // so ids stay unique and ordered even when many objects are created in one tick.
      this.increment += 1n;
      if (this.increment > 0xfffn) {
        this.lastMs += 1n;
        this.increment = 0n;
      }
      now = this.lastMs;
    } else {
      this.lastMs = now;
      this.increment = 0n;
    }
    // Worker id 1, process id 0: fixed, so ids are only distinguished by time and counter.
    return ((now << 22n) | (1n << 17n) | this.increment).toString();
  }
}

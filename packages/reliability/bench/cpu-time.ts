import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/*
 * CPU time of a process, read from Linux's /proc, split between its main
 * thread and every other thread (libuv's pool, V8's helpers). CPU time per
 * request varied far less between runs than requests per second did, so
 * the bench reports both.
 */

/** CPU time in milliseconds, user plus system. */
export interface CpuTime {
  readonly mainMs: number;
  readonly otherMs: number;
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** Reads a process's CPU time so far; the process-wide figure includes threads that have ended. */
export function readCpuTime(pid: number): CpuTime {
  const totalMs = ticksToMs(readStat(`/proc/${pid}/stat`));
  const mainMs = ticksToMs(readStat(`/proc/${pid}/task/${pid}/stat`));

  return { mainMs, otherMs: totalMs - mainMs };
}

/** CPU time spent between two readings. */
export function cpuTimeBetween(before: CpuTime, after: CpuTime): CpuTime {
  return { mainMs: after.mainMs - before.mainMs, otherMs: after.otherMs - before.otherMs };
}

/** Sums utime and stime (fields 14 and 15 in proc(5)), split after the command name, which may contain spaces. */
function readStat(path: string): number {
  const line = readFileSync(path, 'utf8');
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');

  return Number(fields[11]) + Number(fields[12]);
}

function ticksToMs(ticks: number): number {
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

import { readdirSync, readFileSync } from 'node:fs';

/**
 * Each of this process's threads with its nice value, in the order /proc lists them (the process's
 * main thread first). Linux only: field 19 of /proc/self/task/<tid>/stat.
 */
export function threadNiceValues(): Array<{ tid: number; nice: number }> {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The thread's name (field 2) may hold spaces: the fields are counted after its closing bracket.
    return { tid: Number(tid), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
  });
}

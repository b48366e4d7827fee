/** Starts slack-side.ts as a child process and talks to it with promises. */
import { type ChildProcess, fork } from 'node:child_process';
import type {
  FromSlackSide,
  LatencyStats,
  RecordedRequest,
  ReplayResult,
  SlackSideOptions,
  ToSlackSide,
} from './slack-side-protocol.js';

export interface SlackSide {
  apiUrl: string;
  startLoad(phase: string, vigilUrl: string): void;
  stopLoad(phase: string): Promise<{ vigil: LatencyStats; bare: LatencyStats }>;
  replay(phase: string, requests: RecordedRequest[]): Promise<ReplayResult>;
  close(): Promise<void>;
}

export async function startSlackSide(options: SlackSideOptions): Promise<SlackSide> {
  // execArgv empty: a `node --cpu-prof` of the bench profiles Vigil's process, not this one.
  const child: ChildProcess = fork(new URL('./slack-side.js', import.meta.url), [JSON.stringify(options)], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters: Array<{
    accept: (m: FromSlackSide) => boolean;
    resolve: (m: FromSlackSide) => void;
    reject: (e: Error) => void;
  }> = [];
  const failAll = (error: Error) => {
    for (const w of waiters.splice(0)) w.reject(error);
  };
  child.on('message', (raw) => {
    const message = raw as FromSlackSide;
    if (message.type === 'error') return failAll(new Error(`slack side: ${message.message}`));
    const i = waiters.findIndex((w) => w.accept(message));
    if (i >= 0) waiters.splice(i, 1)[0]?.resolve(message);
  });
  child.on('exit', (code) => failAll(new Error(`the slack-side process exited (${code})`)));
  const next = <T extends FromSlackSide['type']>(type: T, phase?: string) =>
    new Promise<Extract<FromSlackSide, { type: T }>>((resolve, reject) => {
      waiters.push({
        accept: (m) => m.type === type && (phase === undefined || ('phase' in m && m.phase === phase)),
        resolve: (m) => resolve(m as Extract<FromSlackSide, { type: T }>),
        reject,
      });
    });
  const post = (message: ToSlackSide) => child.send(message);
  const ready = await next('ready');
  return {
    apiUrl: ready.apiUrl,
    startLoad: (phase, vigilUrl) => post({ type: 'load-start', phase, vigilUrl }),
    async stopLoad(phase) {
      const result = next('load-result', phase);
      post({ type: 'load-stop', phase });
      const { vigil, bare } = await result;
      return { vigil, bare };
    },
    async replay(phase, requests) {
      const result = next('replay-result', phase);
      post({ type: 'replay', phase, requests });
      return (await result).result;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

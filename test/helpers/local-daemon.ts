/**
 * Starts a Prometheus-family daemon (Prometheus, Alertmanager) on 127.0.0.1:0, reads the port it
 * chose from its "Listening on" log line, and waits for /-/ready. Fails loudly, naming the Debian
 * package, when the binary is missing: CI installs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface LocalDaemon {
  url: string;
  stop(): Promise<void>;
}

export async function startLocalDaemon(command: string, args: string[], aptPackage: string): Promise<LocalDaemon> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${log.slice(-2000)}`)), 20_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${command} (apt-get install ${aptPackage}): ${error.message}`));
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /msg="Listening on" address=(127\.0\.0\.1:\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(`http://${match[1]}`);
      }
    });
  });
  const deadline = Date.now() + 20_000;
  while (
    !(await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`${command} never became ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

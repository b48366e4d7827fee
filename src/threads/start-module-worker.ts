import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * A worker running the module next to `from` named `name` (without extension). Built code (dist/,
 * the image) runs the `.js` file. Run from TypeScript sources (`npm run demo` under tsx, the tests
 * under vitest), the module is a `.ts` file that Node 20 cannot load in a worker by itself, so the
 * worker registers tsx's loader (a devDependency, present wherever sources run) and then imports it.
 */
export function startModuleWorker(from: string, name: string, options: WorkerOptions): Worker {
  if (from.endsWith('.ts')) {
    const url = new URL(`./${name}.ts`, from).href;
    const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}); });`;
    return new Worker(bootstrap, { ...options, eval: true });
  }
  return new Worker(new URL(`./${name}.js`, from), options);
}

import { readFileSync } from 'node:fs';

/**
 * The version in package.json, which sits one folder above both src/ and dist/ (the Docker image
 * copies it too), so `vigil --version` tells the truth whether it runs compiled or from source.
 */
export function readPackageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') {
    return pkg.version;
  }
  throw new Error('package.json has no "version"');
}

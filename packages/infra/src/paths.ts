import * as path from 'node:path';

/** Folder that contains the workspace packages. The same depth works from `src/` under tsx and from `dist/`. */
const PACKAGES_DIR = path.resolve(__dirname, '..', '..');

/** Root of the repository, where the npm lock file is. */
export const REPOSITORY_ROOT = path.resolve(PACKAGES_DIR, '..');

/** The Lambda handler that this app bundles: API Gateway HTTP API payload 2.0, export `handler`. */
export const API_LAMBDA_ENTRY = path.join(PACKAGES_DIR, 'api-lambda', 'src', 'lambda.ts');

/** The tsconfig whose path mappings let esbuild bundle the workspace packages from their sources. */
export const API_LAMBDA_TSCONFIG = path.join(PACKAGES_DIR, 'api-lambda', 'tsconfig.json');

/** The package that depends on pkcs11js, so its installed copy is found from there. */
export const PKCS11_PROVIDER_DIR = path.join(PACKAGES_DIR, 'provider-pkcs11-hsm');

export const LOCK_FILE = path.join(REPOSITORY_ROOT, 'package-lock.json');

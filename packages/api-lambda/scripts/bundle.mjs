// Bundles the Lambda entry point (src/lambda.ts, export `handler`) with esbuild
// as minified CommonJS for Node.js 22. The AWS SDK goes inside the bundle, so
// the runtime's copy is not relied on. pkcs11js stays out, because it is a
// native addon that the deployment ships separately.
//
// Usage: node scripts/bundle.mjs [--outdir <dir>]   (default dist-bundle/)
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { build } from 'esbuild';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Modules that must not be bundled: native addons loaded from the deployment package or a layer. */
export const EXTERNAL_MODULES = ['pkcs11js'];

/** Builds `<outdir>/lambda.js`, writes esbuild's metafile to `<outdir>/meta.json`, and returns it. */
export async function bundleLambda(outdir = join(packageDir, 'dist-bundle')) {
  const result = await build({
    entryPoints: [join(packageDir, 'src/lambda.ts')],
    outfile: join(outdir, 'lambda.js'),
    tsconfig: join(packageDir, 'tsconfig.json'),
    bundle: true,
    minify: true,
    sourcemap: 'external',
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: EXTERNAL_MODULES,
    // The ES module builds of the AWS SDK and the Encryption SDK let esbuild drop unused exports.
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'warning',
  });

  await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));

  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
  const outdir = values.outdir === undefined ? undefined : resolve(values.outdir);
  const metafile = await bundleLambda(outdir);
  for (const [file, output] of Object.entries(metafile.outputs)) {
    console.log(`${file}: ${(output.bytes / 1024).toFixed(1)} KiB`);
  }
}

import * as path from 'node:path';

import { buildSplitKmsApp } from '../src/app-builder';

/**
 * Synthesizes the app with real esbuild bundling into `outdir` and returns
 * the folder of the function's bundle, found from the function's S3 key,
 * which names the asset by its hash.
 */
export function synthesizeFunctionBundle(context: Record<string, unknown>, outdir: string): string {
  const { app, stack } = buildSplitKmsApp({ context, outdir });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
  };
  const keys = Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map((resource) => resource.Properties.Code?.S3Key);

  if (keys.length !== 1 || keys[0] === undefined || !keys[0].endsWith('.zip')) {
    throw new Error(
      `Expected one function with a zipped asset, found keys ${JSON.stringify(keys)}.`,
    );
  }

  return path.join(outdir, `asset.${keys[0].slice(0, -'.zip'.length)}`);
}

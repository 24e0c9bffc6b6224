import * as path from 'node:path';

import type { App } from 'aws-cdk-lib';

import { buildSplitKmsApp } from '../src/app-builder';
import { temporaryOutdir } from './stack-fixtures';

/** Synthesizes the app with real esbuild bundling and returns the folder of the function's bundle. */
export function bundleFunction(context: Record<string, unknown>): string {
  const outdir = temporaryOutdir();
  const { app, stack } = buildSplitKmsApp({ context, outdir });

  return functionAssetDir(app, stack.stackName, outdir);
}

/** Finds the bundle folder from the function's S3 key, which names the asset by its hash. */
function functionAssetDir(app: App, stackName: string, outdir: string): string {
  const template = app.synth().getStackByName(stackName).template as {
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

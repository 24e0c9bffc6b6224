import * as path from 'node:path';

import { buildSplitKmsApp } from '../src/app-builder';

/** The function of a synthesized stack: its bundle folder and its environment variables. */
export interface SynthesizedFunction {
  readonly bundleDir: string;
  /** The function's environment as the template sets it. Values that CloudFormation resolves at deploy time are left out. */
  readonly environment: Readonly<Record<string, string>>;
}

interface FunctionResource {
  readonly Type: string;
  readonly Properties: {
    readonly Code?: { readonly S3Key?: string };
    readonly Environment?: { readonly Variables?: Readonly<Record<string, unknown>> };
  };
}

/**
 * Synthesizes the app with real esbuild bundling into `outdir` and returns the
 * function's bundle folder, found from the function's S3 key, which names the
 * asset by its hash, and its environment variables.
 */
export function synthesizeFunction(
  context: Record<string, unknown>,
  outdir: string,
): SynthesizedFunction {
  const { app, stack } = buildSplitKmsApp({ context, outdir });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, FunctionResource>;
  };
  const functions = Object.values(template.Resources).filter(
    (resource) => resource.Type === 'AWS::Lambda::Function',
  );
  const key = functions[0]?.Properties.Code?.S3Key;

  if (functions.length !== 1 || key === undefined || !key.endsWith('.zip')) {
    throw new Error(
      `Expected one function with a zipped asset, found ${functions.length} functions.`,
    );
  }

  const variables = Object.entries(functions[0]!.Properties.Environment?.Variables ?? {});
  return {
    bundleDir: path.join(outdir, `asset.${key.slice(0, -'.zip'.length)}`),
    environment: Object.fromEntries(
      variables.filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    ),
  };
}

/** Synthesizes the app with real esbuild bundling into `outdir` and returns the function's bundle folder. */
export function synthesizeFunctionBundle(context: Record<string, unknown>, outdir: string): string {
  return synthesizeFunction(context, outdir).bundleDir;
}

import { synthesizeFunction, type SynthesizedFunction } from '../bench/function-bundle';
import { temporaryOutdir } from './stack-fixtures';

/** Synthesizes the app with real esbuild bundling and returns the folder of the function's bundle. */
export function bundleFunction(context: Record<string, unknown>): string {
  return synthesizeFunction(context, temporaryOutdir()).bundleDir;
}

/** Synthesizes the app with real esbuild bundling and returns the function's bundle and environment. */
export function synthesizeTestFunction(context: Record<string, unknown>): SynthesizedFunction {
  return synthesizeFunction(context, temporaryOutdir());
}

import { synthesizeFunctionBundle } from '../bench/function-bundle';
import { temporaryOutdir } from './stack-fixtures';

/** Synthesizes the app with real esbuild bundling and returns the folder of the function's bundle. */
export function bundleFunction(context: Record<string, unknown>): string {
  return synthesizeFunctionBundle(context, temporaryOutdir());
}

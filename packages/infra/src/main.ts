import { buildSplitKmsApp } from './app-builder';
import { InvalidSettingsError } from './settings/invalid-settings-error';

/** Entry point of `cdk synth`, `cdk diff` and `cdk deploy` (see cdk.json). */
function main(): void {
  try {
    buildSplitKmsApp().app.synth();
  } catch (error) {
    if (error instanceof InvalidSettingsError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

main();

import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

import { loadSettings } from './settings/load-settings';
import { SplitKmsStack } from './split-kms-stack';

/** Options of `buildSplitKmsApp`. */
export interface BuildSplitKmsAppOptions {
  /** CDK context, as cdk.json and `-c name=value` would give it. @default the context of the CDK CLI */
  readonly context?: Record<string, unknown>;
  /** Folder for the cloud assembly. @default the folder that the CDK CLI sets in CDK_OUTDIR, or a temporary one */
  readonly outdir?: string;
}

/**
 * Builds the CDK app: validates the settings first, then adds one stack
 * named `split-kms-<env_name>` and the cdk-nag AWS Solutions checks, which
 * stop synthesis on any finding that is not acknowledged with a reason.
 *
 * @throws InvalidSettingsError before any resource exists when a setting is invalid.
 */
export function buildSplitKmsApp(options: BuildSplitKmsAppOptions = {}): {
  app: App;
  stack: SplitKmsStack;
} {
  const app = new App({ context: options.context, outdir: options.outdir });
  const { settings, warnings } = loadSettings(app.node.getAllContext() as Record<string, unknown>);

  const stack = new SplitKmsStack(app, `split-kms-${settings.envName}`, {
    settings,
    warnings,
    description: `Split KMS API (${settings.keyShareCipher}, ${settings.envName})`,
    env:
      settings.account === undefined && settings.region === undefined
        ? undefined
        : { account: settings.account, region: settings.region },
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );

  return { app, stack };
}

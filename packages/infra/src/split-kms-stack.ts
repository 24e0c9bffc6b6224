import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

import { ApiAlarms } from './constructs/alarms';
import { ApiFunction } from './constructs/api-function';
import { CustomerKey, type CustomerKeyAction } from './constructs/customer-key';
import { grantDecryptOnlyKeys } from './constructs/decrypt-only-keys';
import { HsmNetwork } from './constructs/hsm-network';
import { SplitKmsHttpApi } from './constructs/http-api';
import { buildLambdaEnvironment } from './lambda-environment';
import { addNagSuppressions } from './nag-suppressions';
import { usesKms, type SecureDefaultOverride } from './settings/load-settings';
import { FIXED_SECURE_SETTINGS } from './settings/secure-defaults';
import type { DeploymentSettings } from './settings/types';

/** Properties of `SplitKmsStack`. */
export interface SplitKmsStackProps extends StackProps {
  readonly settings: DeploymentSettings;
  /** Overridden secure defaults, shown as synthesis warnings that can be acknowledged by setting name. */
  readonly warnings?: readonly SecureDefaultOverride[];
}

/**
 * One deployment of the Split KMS API: the function, its HTTP API and alarms,
 * and either a KMS key or access to a CloudHSM cluster (with, optionally, the
 * KMS key kept for decrypting older ciphertexts).
 */
export class SplitKmsStack extends Stack {
  readonly customerKey?: CustomerKey;
  readonly apiFunction: ApiFunction;
  readonly httpApi: SplitKmsHttpApi;
  readonly alarms: ApiAlarms;

  constructor(scope: Construct, id: string, props: SplitKmsStackProps) {
    super(scope, id, props);
    const { settings } = props;
    for (const warning of props.warnings ?? []) {
      Annotations.of(this).addWarningV2(
        `@split-kms/infra:secure-default-override:${warning.setting}`,
        warning.message,
      );
    }

    if (usesKms(settings)) {
      this.customerKey = new CustomerKey(this, 'CustomerKey', {
        envName: settings.envName,
        existingKeyArn: settings.existingKeyArn,
      });
    }

    this.apiFunction = this.createFunction(settings);
    this.customerKey?.grantWithWalletContext(this.apiFunction.role, kmsActions(settings), [
      FIXED_SECURE_SETTINGS.encryptionContextKey,
    ]);
    this.customerKey?.grantDescribe(this.apiFunction.role);
    grantDecryptOnlyKeys(this.apiFunction.role, settings.kmsDecryptKeyArns, [
      FIXED_SECURE_SETTINGS.encryptionContextKey,
    ]);

    this.httpApi = new SplitKmsHttpApi(this, 'HttpApi', {
      handler: this.apiFunction.function,
      settings,
    });
    this.alarms = new ApiAlarms(this, 'Alarms', {
      handler: this.apiFunction.function,
      stage: this.httpApi.stage,
      target: settings.alarms,
      envName: settings.envName,
    });

    this.addOutputs();
    addNagSuppressions(this);
  }

  private createFunction(settings: DeploymentSettings): ApiFunction {
    const environment = buildLambdaEnvironment(settings, this.customerKey?.key.keyArn);
    if (settings.hsm === undefined) {
      return new ApiFunction(this, 'ApiFunction', { settings, environment });
    }

    const hsmNetwork = new HsmNetwork(this, 'HsmNetwork', settings.hsm);
    const layer = lambda.LayerVersion.fromLayerVersionArn(
      this,
      'Pkcs11Library',
      settings.hsm.layerArn,
    );
    const apiFunction = new ApiFunction(this, 'ApiFunction', {
      settings,
      environment,
      network: hsmNetwork.network,
      layers: [layer],
    });

    // The function reads the PIN from this secret at start-up, so the PIN is never an environment variable.
    secretsmanager.Secret.fromSecretCompleteArn(
      this,
      'Pkcs11PinSecret',
      settings.hsm.pinSecretArn,
    ).grantRead(apiFunction.role);

    return apiFunction;
  }

  private addOutputs(): void {
    new CfnOutput(this, 'ApiUrl', {
      value: this.httpApi.url,
      description:
        'Base URL of the API. Register <url>encrypt and <url>decrypt with the wallet vendor.',
    });
    new CfnOutput(this, 'ExecuteApiUrl', {
      value: this.httpApi.stage.url,
      description: 'The API Gateway endpoint, also reachable when a custom domain is set.',
    });
    new CfnOutput(this, 'FunctionName', { value: this.apiFunction.function.functionName });

    if (this.customerKey !== undefined) {
      new CfnOutput(this, 'KmsKeyArn', { value: this.customerKey.key.keyArn });
    }

    if (this.httpApi.domainName !== undefined) {
      new CfnOutput(this, 'CustomDomainTarget', {
        value: this.httpApi.domainName.regionalDomainName,
        description: 'Point a CNAME or alias record for the custom domain at this name.',
      });
    }
  }
}

/** KMS operations that the function needs, and no more. */
function kmsActions(settings: DeploymentSettings): CustomerKeyAction[] {
  if (settings.hsm !== undefined) return ['kms:Decrypt'];

  // The Encryption SDK encrypts under a data key from GenerateDataKey, and its algorithm suite without
  // signatures adds nothing to the encryption context, so `ewi` stays the only context key.
  return settings.kmsMode === 'envelope'
    ? ['kms:GenerateDataKey', 'kms:Decrypt']
    : ['kms:Encrypt', 'kms:Decrypt'];
}

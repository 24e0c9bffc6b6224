import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

import { FIXED_SECURE_SETTINGS } from '../settings/secure-defaults';

/** Properties of `CustomerKey`. */
export interface CustomerKeyProps {
  /** Environment name, the suffix of the alias `dkms-customer-key-<env>`. */
  readonly envName: string;
  /**
   * ARN of a key the customer already has. The construct then only grants
   * access to it, through the function's IAM policy, so the key policy must
   * allow IAM policies of this account to grant use.
   * @default a new key is created
   */
  readonly existingKeyArn?: string;
}

/** KMS operations that one deployment may allow. */
export type CustomerKeyAction = 'kms:Encrypt' | 'kms:Decrypt' | 'kms:GenerateDataKey';

/**
 * The symmetric KMS key that encrypts key shares: created per environment, or
 * brought by the customer.
 *
 * Every grant of a cryptographic operation requires the encryption context
 * to carry the `ewi` key and no key outside an allow-list, so the function can
 * use the key only for requests bound to one wallet. Only `DescribeKey`, which
 * returns metadata and takes no context, is granted without it.
 */
export class CustomerKey extends Construct {
  readonly key: kms.IKey;

  /** Whether this stack created the key, and so owns its key policy. */
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: CustomerKeyProps) {
    super(scope, id);

    this.created = props.existingKeyArn === undefined;
    this.key =
      props.existingKeyArn === undefined
        ? createKey(this, props.envName)
        : kms.Key.fromKeyArn(this, 'ExistingKey', props.existingKeyArn);
  }

  /**
   * Allows `role` the given operations on this key only when the encryption
   * context has an `ewi` value and no key outside `contextKeys`. The same
   * statement goes into the role's policy and, for a created key, the key policy.
   */
  grantWithWalletContext(
    role: iam.IRole,
    actions: readonly CustomerKeyAction[],
    contextKeys: readonly string[],
  ): void {
    const conditions = walletContextConditions(contextKeys);

    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...actions], resources: [this.key.keyArn], conditions }),
    );

    if (this.created) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowSplitKmsFunctionWithWalletContext',
          principals: [new iam.ArnPrincipal(role.roleArn)],
          actions: [...actions],
          resources: ['*'],
          conditions,
        }),
      );
    }
  }

  /**
   * Allows `role` to read the key's metadata, which carries no encryption
   * context: the provider's health check and its diagnosis of a failed
   * decrypt call `DescribeKey`.
   */
  grantDescribe(role: iam.IRole): void {
    const actions = ['kms:DescribeKey'];
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [this.key.keyArn] }));

    if (this.created) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowSplitKmsFunctionDescribeKey',
          principals: [new iam.ArnPrincipal(role.roleArn)],
          actions,
          resources: ['*'],
        }),
      );
    }
  }
}

function createKey(scope: Construct, envName: string): kms.Key {
  const key = new kms.Key(scope, 'Key', {
    description: `Split KMS: encrypts wallet key shares (${envName}).`,
    enableKeyRotation: FIXED_SECURE_SETTINGS.keyRotation,
    removalPolicy: RemovalPolicy.RETAIN,
  });

  // The alias outlives the stack too, so deploying again after a delete fails on the taken alias
  // instead of quietly creating a second key that cannot decrypt the stored shares.
  new kms.Alias(scope, 'Alias', {
    aliasName: `alias/dkms-customer-key-${envName}`,
    targetKey: key,
    removalPolicy: RemovalPolicy.RETAIN,
  });

  return key;
}

/**
 * Builds the IAM conditions that bind a grant to a wallet.
 *
 * Precondition: the request's encryption context has an `ewi` value
 * (`Null` is false only when the key is present).
 * Precondition: the context has no key outside `contextKeys`. `ForAllValues`
 * alone also matches an empty context, which is why the `Null` check is needed.
 */
export function walletContextConditions(
  contextKeys: readonly string[],
): Record<string, Record<string, unknown>> {
  const walletKey = FIXED_SECURE_SETTINGS.encryptionContextKey;

  return {
    'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...contextKeys] },
    Null: { [`kms:EncryptionContext:${walletKey}`]: 'false' },
  };
}

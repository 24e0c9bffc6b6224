import * as iam from 'aws-cdk-lib/aws-iam';

import { walletContextConditions } from './customer-key';

/**
 * Allows `role` to decrypt with further KMS keys that this stack does not
 * manage, such as the key of an earlier deployment, with the same wallet
 * context condition as the main key. The grant is in the role's policy only,
 * so each key's policy must let IAM policies of its account grant use.
 */
export function grantDecryptOnlyKeys(
  role: iam.IRole,
  keyArns: readonly string[],
  contextKeys: readonly string[],
): void {
  if (keyArns.length === 0) return;

  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [...keyArns],
      conditions: walletContextConditions(contextKeys),
    }),
  );
  // The provider describes a key when a decrypt fails, to tell a missing key from a foreign ciphertext.
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ['kms:DescribeKey'], resources: [...keyArns] }),
  );
}

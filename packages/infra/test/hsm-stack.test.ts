import { describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';

import {
  CLUSTER_SECURITY_GROUP_ID,
  HSM_CONTEXT,
  LAYER_ARN,
  PIN_SECRET_ARN,
  synthTemplate,
} from './stack-fixtures';

describe('CloudHSM variant function', () => {
  const template = synthTemplate(HSM_CONTEXT);

  it('runs on x86_64 with the vendor layer', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      Layers: [LAYER_ARN],
      Timeout: 16,
    });
  });

  it('sits in the given subnets', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: {
        SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
        SecurityGroupIds: [
          { 'Fn::GetAtt': [Match.stringLikeRegexp('^HsmNetworkFunctionSecurityGroup'), 'GroupId'] },
        ],
      },
    });
  });

  it('passes the PIN secret by ARN only', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const variables = (
      Object.values(functions)[0] as {
        Properties: { Environment: { Variables: Record<string, unknown> } };
      }
    ).Properties.Environment.Variables;

    expect(variables).toMatchObject({
      KEY_SHARE_CIPHER: 'pkcs11',
      PKCS11_LIBRARY: '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so',
      PKCS11_TOKEN_LABEL: 'hsm1',
      PKCS11_KEY_LABEL: 'split-kms-share-key',
      PKCS11_PIN_SECRET_ARN: PIN_SECRET_ARN,
      PKCS11_IV_MODE: 'hsm-generated',
    });
    expect(Object.keys(variables).filter((name) => /PIN/.test(name))).toEqual([
      'PKCS11_PIN_SECRET_ARN',
    ]);
    expect(variables).not.toHaveProperty('DKMS_KMS_KEY_ID');
    expect(variables).not.toHaveProperty('KEY_SHARE_CIPHER_DECRYPT_ONLY');
  });

  it('grants read on the PIN secret only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: PIN_SECRET_ARN,
          }),
        ]),
      },
    });
  });

  it('creates no KMS key and grants no KMS action', () => {
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('kms:');
  });
});

describe('CloudHSM variant network', () => {
  const template = synthTemplate(HSM_CONTEXT);

  it('opens only the HSM ports and HTTPS', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-0123456789abcdef0',
      SecurityGroupEgress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
      ],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      DestinationSecurityGroupId: CLUSTER_SECURITY_GROUP_ID,
      IpProtocol: 'tcp',
      FromPort: 2223,
      ToPort: 2225,
    });
  });

  it('lets the function into the cluster group', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: CLUSTER_SECURITY_GROUP_ID,
      SourceSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^HsmNetworkFunctionSecurityGroup'), 'GroupId'],
      },
      IpProtocol: 'tcp',
      FromPort: 2223,
      ToPort: 2225,
    });
  });

  it('manages only network interfaces with a wildcard', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
      Properties: {
        PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> };
      };
    }>;
    const wildcardActions = policies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => statement.Resource === '*')
      .flatMap((statement) => statement.Action);

    expect(wildcardActions.sort()).toEqual([
      'ec2:AssignPrivateIpAddresses',
      'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:UnassignPrivateIpAddresses',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });
});

describe('CloudHSM variant with KMS decryption', () => {
  const template = synthTemplate({ ...HSM_CONTEXT, hsm_decrypt_with_kms: 'true' });

  it('keeps the KMS key for decrypting', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          KEY_SHARE_CIPHER: 'pkcs11',
          KEY_SHARE_CIPHER_DECRYPT_ONLY: 'aws-kms',
          DKMS_KMS_KEY_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CustomerKey'), 'Arn'] },
        }),
      },
    });
  });

  it('allows Decrypt only, with the wallet context', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'kms:Decrypt',
            Condition: {
              'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['ewi'] },
              Null: { 'kms:EncryptionContext:ewi': 'false' },
            },
          }),
        ]),
      },
    });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain(
      '"kms:Encrypt"',
    );
  });

  it('leaves time for KMS retries', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 25 });
  });
});

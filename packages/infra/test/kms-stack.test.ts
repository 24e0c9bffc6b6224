import { describe, expect, it } from '@jest/globals';
import { Annotations, Match } from 'aws-cdk-lib/assertions';

import { buildStack, CERTIFICATE_ARN, EXISTING_KEY_ARN, synthTemplate } from './stack-fixtures';

const WALLET_CONTEXT_CONDITION = {
  'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['ewi'] },
  Null: { 'kms:EncryptionContext:ewi': 'false' },
};

describe('KMS variant key', () => {
  const template = synthTemplate();

  it('creates one rotating key kept on delete', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, KeySpec: Match.absent() },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('names the alias after the environment', () => {
    template.hasResource('AWS::KMS::Alias', {
      Properties: { AliasName: 'alias/dkms-customer-key-prod' },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    synthTemplate({ env_name: 'staging' }).hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/dkms-customer-key-staging',
    });
  });

  it('key policy requires the wallet context', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowSplitKmsFunctionWithWalletContext',
            Action: ['kms:Encrypt', 'kms:Decrypt'],
            Principal: {
              AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiFunctionRole'), 'Arn'] },
            },
            Condition: WALLET_CONTEXT_CONDITION,
          }),
        ]),
      },
    });
  });
});

describe('KMS variant least privilege', () => {
  it('role uses only its key, with context', () => {
    const template = synthTemplate();
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } })
          .Properties.PolicyDocument.Statement,
    );
    const kmsStatements = statements.filter((statement) =>
      JSON.stringify(statement.Action).includes('kms:'),
    );

    expect(kmsStatements).toEqual([
      {
        Action: ['kms:Encrypt', 'kms:Decrypt'],
        Condition: WALLET_CONTEXT_CONDITION,
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^CustomerKey/), 'Arn'] },
      },
      {
        Action: 'kms:DescribeKey',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^CustomerKey/), 'Arn'] },
      },
    ]);
  });

  it('grants no managed policy', () => {
    synthTemplate().hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('envelope mode allows GenerateDataKey, not Encrypt', () => {
    synthTemplate({ kms_mode: 'envelope' }).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
            Condition: WALLET_CONTEXT_CONDITION,
          }),
        ]),
      },
    });
  });

  it('existing key is granted, not created', () => {
    const template = synthTemplate({ existing_key_arn: EXISTING_KEY_ARN });

    template.resourceCountIs('AWS::KMS::Key', 0);
    template.resourceCountIs('AWS::KMS::Alias', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: EXISTING_KEY_ARN }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DKMS_KMS_KEY_ID: EXISTING_KEY_ARN }) },
    });
  });
});

describe('KMS variant decrypt-only keys', () => {
  const oldKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/00000000-1111-2222-3333-444444444444';
  const template = synthTemplate({ kms_decrypt_key_arns: oldKeyArn });

  it('allows only Decrypt with the wallet context', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'kms:Decrypt',
            Condition: WALLET_CONTEXT_CONDITION,
            Effect: 'Allow',
            Resource: oldKeyArn,
          },
          { Action: 'kms:DescribeKey', Effect: 'Allow', Resource: oldKeyArn },
        ]),
      },
    });
  });

  it('lists the keys for the API', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KMS_DECRYPT_KEY_IDS: oldKeyArn }) },
    });
  });

  it('adds nothing by default', () => {
    synthTemplate().hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KMS_DECRYPT_KEY_IDS: Match.absent() }) },
    });
  });
});

describe('KMS variant function', () => {
  const template = synthTemplate();

  it('runs Node.js 22 on arm64 with tracing', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 13,
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it('sets the API environment variables', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          KEY_SHARE_CIPHER: 'aws-kms',
          JWKS_URL: 'https://assets.auth.magic.link/split-key/.well-known/jwks.json',
          JWKS_TIMEOUT_MS: '3000',
          CORS_ALLOW_ORIGINS: 'https://auth.magic.link',
          DKMS_KMS_KEY_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CustomerKey'), 'Arn'] },
          KMS_MODE: 'direct',
          KMS_REQUEST_TIMEOUT_MS: '2000',
          KMS_MAX_ATTEMPTS: '3',
          POWERTOOLS_SERVICE_NAME: 'split-kms',
          POWERTOOLS_METRICS_NAMESPACE: 'SplitKMS',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: Match.absent(),
        },
      },
    });
  });

  it('passes optional JWT settings through', () => {
    synthTemplate({
      jwt_issuer: 'https://auth.example',
      jwt_audience: 'split-kms',
      jwt_clock_tolerance_seconds: '30',
    }).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          JWT_ISSUER: 'https://auth.example',
          JWT_AUDIENCE: 'split-kms',
          JWT_CLOCK_TOLERANCE_SECONDS: '30',
        }),
      },
    });
  });

  it('applies memory and reserved concurrency settings', () => {
    synthTemplate({ memory_mb: 1024, reserved_concurrency: 20 }).hasResourceProperties(
      'AWS::Lambda::Function',
      {
        MemorySize: 1024,
        ReservedConcurrentExecutions: 20,
      },
    );
  });

  it('keeps logs for a year by default', () => {
    const logGroups = template.findResources('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365 },
    });

    expect(Object.keys(logGroups)).toHaveLength(2);
  });

  it('applies the log retention setting', () => {
    const logGroups = synthTemplate({ log_retention_days: 30 }).findResources(
      'AWS::Logs::LogGroup',
      {
        Properties: { RetentionInDays: 30 },
      },
    );

    expect(Object.keys(logGroups)).toHaveLength(2);
  });

  it('applies source maps on request', () => {
    synthTemplate({ enable_source_maps: 'true' }).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  it('sits outside any VPC', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: Match.absent(),
      Layers: Match.absent(),
    });
  });
});

describe('KMS variant HTTP API', () => {
  const template = synthTemplate();

  it('routes every path to the function', () => {
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (route) => (route as { Properties: { RouteKey: string } }).Properties.RouteKey,
    );

    expect(routeKeys.sort()).toEqual([
      '$default',
      'GET /healthz',
      'OPTIONS /{proxy+}',
      'POST /decrypt',
      'POST /encrypt',
    ]);
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it('leaves CORS to the function', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.absent(),
    });
  });

  it('throttles the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    synthTemplate({ throttle_rate_limit: 5, throttle_burst_limit: 10 }).hasResourceProperties(
      'AWS::ApiGatewayV2::Stage',
      { DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } },
    );
  });

  it('writes access logs without headers', () => {
    const stages = template.findResources('AWS::ApiGatewayV2::Stage');
    const stage = Object.values(stages)[0] as {
      Properties: { AccessLogSettings: { Format: string; DestinationArn: unknown } };
    };
    const fields = JSON.parse(stage.Properties.AccessLogSettings.Format) as Record<string, string>;

    expect(fields.requestId).toBe('$context.requestId');
    expect(fields.status).toBe('$context.status');
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/header|authorization/i);
    expect(stage.Properties.AccessLogSettings.DestinationArn).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^HttpApiAccessLogs/), 'Arn'],
    });
  });

  it('outputs the API URL', () => {
    template.hasOutput('ApiUrl', {
      Value: {
        'Fn::Join': [
          '',
          Match.arrayWith([
            Match.stringLikeRegexp('^https://'),
            Match.stringLikeRegexp('^\\.execute-api\\.'),
          ]),
        ],
      },
    });
    template.hasOutput('KmsKeyArn', {});
    template.hasOutput('FunctionName', {});
  });

  it('maps a custom domain with TLS 1.2', () => {
    const withDomain = synthTemplate({
      domain_name: 'kms.example.com',
      acm_cert_arn: CERTIFICATE_ARN,
    });

    withDomain.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'kms.example.com',
      DomainNameConfigurations: [
        Match.objectLike({
          CertificateArn: CERTIFICATE_ARN,
          SecurityPolicy: 'TLS_1_2',
          EndpointType: 'REGIONAL',
        }),
      ],
    });
    withDomain.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    withDomain.hasOutput('ApiUrl', { Value: 'https://kms.example.com/' });
    withDomain.hasOutput('CustomDomainTarget', {});
  });
});

describe('KMS variant alarms', () => {
  it('alarms on errors, throttles and 5xx', () => {
    const template = synthTemplate();

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Throttles',
      Namespace: 'AWS/Lambda',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5xx',
      Namespace: 'AWS/ApiGateway',
      Dimensions: Match.arrayWith([{ Name: 'Stage', Value: '$default' }]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent() });
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('creates a topic for an alarm email', () => {
    const template = synthTemplate({ alarm_email: 'ops@example.com' });

    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }] },
    });
    expect(Object.keys(alarms)).toHaveLength(3);
  });

  it('notifies an existing topic', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:ops';
    const alarms = synthTemplate({ alarm_topic_arn: topicArn }).findResources(
      'AWS::CloudWatch::Alarm',
      {
        Properties: { AlarmActions: [topicArn], OKActions: [topicArn] },
      },
    );

    expect(Object.keys(alarms)).toHaveLength(3);
  });
});

describe('KMS variant synthesis warnings', () => {
  it('warns when a secure default is overridden', () => {
    const stack = buildStack({ cors_allow_origins: '*' });

    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp('cors_allow_origins overrides the secure default'),
    );
  });

  it('stays quiet with the defaults', () => {
    const warnings = Annotations.fromStack(buildStack()).findWarning(
      '*',
      Match.stringLikeRegexp('overrides the secure default'),
    );

    expect(warnings).toEqual([]);
  });
});

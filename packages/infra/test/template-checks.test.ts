import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { beforeAll, describe, expect, it } from '@jest/globals';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';

import { buildSplitKmsApp } from '../src/app-builder';
import {
  CERTIFICATE_ARN,
  EXISTING_KEY_ARN,
  HSM_CONTEXT,
  SKIP_BUNDLING,
  temporaryOutdir,
} from './stack-fixtures';

/** Settings combinations that together create every resource the app can create. */
const VARIANTS: ReadonlyArray<[string, Record<string, unknown>]> = [
  ['KMS defaults', {}],
  [
    'KMS with every option',
    {
      existing_key_arn: EXISTING_KEY_ARN,
      kms_decrypt_key_arns:
        'arn:aws:kms:eu-west-1:123456789012:key/00000000-1111-2222-3333-444444444444',
      kms_mode: 'envelope',
      domain_name: 'kms.example.com',
      acm_cert_arn: CERTIFICATE_ARN,
      alarm_email: 'ops@example.com',
      reserved_concurrency: 10,
      account: '123456789012',
      region: 'eu-west-1',
    },
  ],
  ['CloudHSM', HSM_CONTEXT],
  [
    'CloudHSM with KMS decryption',
    {
      ...HSM_CONTEXT,
      hsm_decrypt_with_kms: true,
      alarm_topic_arn: 'arn:aws:sns:eu-west-1:123456789012:ops',
    },
  ],
];

/** The findings that the design accepts. Each is acknowledged with a reason in nag-suppressions.ts. */
const ACKNOWLEDGED_RULES = [
  'AwsSolutions-APIG4',
  'AwsSolutions-IAM5[Resource::*]',
  'AwsSolutions-L1',
];

function synthesize(context: Record<string, unknown>) {
  const outdir = temporaryOutdir();
  const { app, stack } = buildSplitKmsApp({ context: { ...SKIP_BUNDLING, ...context }, outdir });

  return { app, stack, outdir };
}

describe('cdk-nag AwsSolutionsChecks', () => {
  it.each(VARIANTS)('passes on %s', (_name, context) => {
    const { app, stack } = synthesize(context);

    expect(() => app.synth()).not.toThrow();
    const findings = new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.map((violation) => violation.ruleName);
    expect([...new Set(findings)].sort()).toEqual(ACKNOWLEDGED_RULES);
  });

  it('gives every acknowledgment a one-sentence reason', () => {
    const { app, stack } = synthesize(HSM_CONTEXT);
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<
        string,
        { Metadata?: { cdk_nag?: { rules_to_suppress: Array<{ id: string; reason: string }> } } }
      >;
    };
    const acknowledgments = Object.values(template.Resources).flatMap(
      (resource) => resource.Metadata?.cdk_nag?.rules_to_suppress ?? [],
    );

    expect([...new Set(acknowledgments.map((acknowledgment) => acknowledgment.id))].sort()).toEqual(
      ACKNOWLEDGED_RULES.map((rule) => `AwsSolutions::${rule}`),
    );
    for (const { reason } of acknowledgments) {
      expect(reason).toMatch(/^[A-Z][^.]*(?:\.[a-z0-9][^.]*)*\.$/);
    }
  });

  it('stops synthesis on an unacknowledged finding', () => {
    const { app, stack } = synthesize({});
    new kms.Key(stack, 'KeyWithoutRotation', { enableKeyRotation: false });

    expect(() => app.synth()).toThrow(/AwsSolutions-KMS5/);
  });
});

describe('cfn-lint', () => {
  const templates: string[] = [];

  beforeAll(() => {
    const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (version.error !== undefined || version.status !== 0) {
      throw new Error(
        'cfn-lint is not installed or does not run. Install it with "pip install cfn-lint" and retry.',
      );
    }

    for (const [, context] of VARIANTS) {
      const { app, stack, outdir } = synthesize(context);
      app.synth();
      templates.push(path.join(outdir, stack.templateFile));
    }
  });

  it('passes on every variant', () => {
    const result = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...templates], {
      encoding: 'utf8',
      timeout: 120_000,
    });

    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(templates).toHaveLength(VARIANTS.length);
  });
});

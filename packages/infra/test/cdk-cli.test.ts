import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { REPOSITORY_ROOT } from '../src/paths';
import { temporaryOutdir } from './stack-fixtures';

const CDK_CLI = path.join(REPOSITORY_ROOT, 'node_modules', '.bin', 'cdk');
const PACKAGE_DIR = path.resolve(__dirname, '..');

interface CliResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CDK CLI in this package without AWS credentials, as `npm run synth` does. */
async function runCdk(args: readonly string[]): Promise<CliResult> {
  const missingFile = path.join(PACKAGE_DIR, 'no-such-aws-file');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CDK_DISABLE_VERSION_CHECK: '1',
    // No credentials anywhere: no variables, and AWS config files that do not exist.
    AWS_CONFIG_FILE: missingFile,
    AWS_SHARED_CREDENTIALS_FILE: missingFile,
  };

  return new Promise((resolve) => {
    execFile(
      CDK_CLI,
      [...args],
      { cwd: PACKAGE_DIR, env, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ exitCode: error === null ? 0 : Number(error.code ?? 1), stdout, stderr });
      },
    );
  });
}

describe('cdk synth through cdk.json', () => {
  it('synthesizes offline without credentials', async () => {
    const outdir = temporaryOutdir();
    const result = await runCdk(['synth', '--quiet', '--output', outdir, '-c', 'env_name=ci']);

    expect(result.stderr).not.toMatch(/Error/);
    expect(result.exitCode).toBe(0);
    const template = JSON.parse(
      fs.readFileSync(path.join(outdir, 'split-kms-ci.template.json'), 'utf8'),
    ) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const aliases = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::KMS::Alias',
    );
    expect(aliases.map((alias) => alias.Properties.AliasName)).toEqual([
      'alias/dkms-customer-key-ci',
    ]);
  });

  it('stops with every invalid setting', async () => {
    const result = await runCdk([
      'synth',
      '--quiet',
      '--output',
      temporaryOutdir(),
      '-c',
      'domain_name=kms.example.com',
      '-c',
      'memory_mb=lots',
    ]);

    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('Invalid Split KMS settings');
    expect(result.stderr).toContain('domain_name needs acm_cert_arn');
    expect(result.stderr).toContain('memory_mb must be an integer');
  });
});

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll } from '@jest/globals';
import { Template } from 'aws-cdk-lib/assertions';

import { buildSplitKmsApp } from '../src/app-builder';
import type { SplitKmsStack } from '../src/split-kms-stack';

/** Context that skips esbuild, for tests where the bundle is not the point. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export const ACCOUNT = '123456789012';
export const EXISTING_KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const CERTIFICATE_ARN = `arn:aws:acm:eu-west-1:${ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012`;
export const LAYER_ARN = `arn:aws:lambda:eu-west-1:${ACCOUNT}:layer:cloudhsm-pkcs11:3`;
export const PIN_SECRET_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:split-kms/pin-AbCdEf`;
export const CLUSTER_SECURITY_GROUP_ID = 'sg-0123456789abcdef0';

/** Settings of a complete CloudHSM variant. */
export const HSM_CONTEXT: Readonly<Record<string, unknown>> = {
  key_share_cipher: 'pkcs11',
  hsm_vpc_id: 'vpc-0123456789abcdef0',
  hsm_subnet_ids: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  hsm_cluster_security_group_id: CLUSTER_SECURITY_GROUP_ID,
  hsm_layer_arn: LAYER_ARN,
  hsm_pin_secret_arn: PIN_SECRET_ARN,
  hsm_key_label: 'split-kms-share-key',
};

/** One folder per test file for its cloud assemblies, removed after the file's tests. */
const ASSEMBLIES_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'split-kms-infra-'));
afterAll(() => fs.rmSync(ASSEMBLIES_DIR, { recursive: true, force: true }));

/** Creates a fresh, empty folder for one cloud assembly. */
export function temporaryOutdir(): string {
  return fs.mkdtempSync(path.join(ASSEMBLIES_DIR, 'assembly-'));
}

/** Builds the app with the given settings and without bundling. */
export function buildStack(context: Readonly<Record<string, unknown>> = {}): SplitKmsStack {
  return buildSplitKmsApp({ context: { ...SKIP_BUNDLING, ...context }, outdir: temporaryOutdir() })
    .stack;
}

/** Builds the app with the given settings, without bundling, and returns the stack's template. */
export function synthTemplate(context: Readonly<Record<string, unknown>> = {}): Template {
  return Template.fromStack(buildStack(context));
}

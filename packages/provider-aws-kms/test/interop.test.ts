import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runAwsCli } from '@split-kms/testing/moto';

import { bytes, startMotoFixture, text, type MotoFixture, type TestKey } from './moto-fixture';

const WALLET = 'wallet-interop-42';
const execFileAsync = promisify(execFile);

let fixture: MotoFixture;
let key: TestKey;
let workDir: string;

beforeAll(async () => {
  fixture = await startMotoFixture();
  key = await fixture.createKey();
  workDir = mkdtempSync(join(tmpdir(), 'split-kms-interop-'));
}, 60_000);

afterAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  await fixture?.close();
}, 30_000);

/** Encrypts as the earlier Python service did: boto3 KMS Encrypt with {ewi}, blob in base64. */
async function encryptWithBoto3(plaintext: string): Promise<string> {
  const script = [
    'import base64, boto3, sys',
    'kms = boto3.client("kms", endpoint_url=sys.argv[1], region_name=sys.argv[2])',
    'blob = kms.encrypt(KeyId=sys.argv[3], Plaintext=sys.argv[4].encode(), EncryptionContext={"ewi": sys.argv[5]})["CiphertextBlob"]',
    'print(base64.b64encode(blob).decode())',
  ].join('\n');
  const args = [
    '-c',
    script,
    fixture.moto.endpoint,
    fixture.moto.region,
    key.arn,
    plaintext,
    WALLET,
  ];
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  const { stdout } = await execFileAsync('python3', args, {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });

  return stdout.trim();
}

describe('AWS CLI interop', () => {
  it('decrypts a blob made by aws kms encrypt', async () => {
    const plaintextFile = join(workDir, 'share.txt');
    writeFileSync(plaintextFile, 'share from the CLI');
    const blob = (
      await runAwsCli(fixture.moto, [
        'kms',
        'encrypt',
        '--key-id',
        key.arn,
        '--plaintext',
        `fileb://${plaintextFile}`,
        '--encryption-context',
        `ewi=${WALLET}`,
        '--query',
        'CiphertextBlob',
        '--output',
        'text',
      ])
    ).trim();
    const cipher = await fixture.createCipher({ keyId: key.arn });

    const plaintext = await cipher.decrypt(Buffer.from(blob, 'base64'), { ewi: WALLET });

    expect(text(plaintext)).toBe('share from the CLI');
  });

  it('makes a blob that aws kms decrypt accepts', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn });
    const ciphertext = await cipher.encrypt(bytes('share for the CLI'), { ewi: WALLET });
    const blobFile = join(workDir, 'blob.bin');
    writeFileSync(blobFile, ciphertext);

    const plaintext = (
      await runAwsCli(fixture.moto, [
        'kms',
        'decrypt',
        '--key-id',
        key.arn,
        '--ciphertext-blob',
        `fileb://${blobFile}`,
        '--encryption-context',
        `ewi=${WALLET}`,
        '--query',
        'Plaintext',
        '--output',
        'text',
      ])
    ).trim();

    expect(Buffer.from(plaintext, 'base64').toString('utf8')).toBe('share for the CLI');
  });

  it('lets aws kms decrypt reject the wrong wallet', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn });
    const ciphertext = await cipher.encrypt(bytes('bound share'), { ewi: WALLET });
    const blobFile = join(workDir, 'bound.bin');
    writeFileSync(blobFile, ciphertext);

    await expect(
      runAwsCli(fixture.moto, [
        'kms',
        'decrypt',
        '--ciphertext-blob',
        `fileb://${blobFile}`,
        '--encryption-context',
        'ewi=another-wallet',
      ]),
    ).rejects.toThrow('InvalidCiphertextException');
  });
});

describe('earlier Python service interop', () => {
  it('decrypts a base64 blob stored by boto3', async () => {
    const stored = await encryptWithBoto3('share from python');
    const cipher = await fixture.createCipher({ keyId: key.arn });

    const plaintext = await cipher.decrypt(Buffer.from(stored, 'base64'), { ewi: WALLET });

    expect(text(plaintext)).toBe('share from python');
  });

  it('writes the same blob layout as boto3', async () => {
    const stored = Buffer.from(await encryptWithBoto3('0123456789abcdef'), 'base64');
    const cipher = await fixture.createCipher({ keyId: key.arn });

    const ours = await cipher.encrypt(bytes('0123456789abcdef'), { ewi: WALLET });

    expect(ours.length).toBe(stored.length);
    expect(Buffer.from(ours.subarray(0, 36)).toString()).toBe(stored.subarray(0, 36).toString());
  });
});

import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { inspect } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MOTO_ACCOUNT_ID } from '@split-kms/testing/moto';

import {
  createAwsKmsKeyShareCipher,
  DirectKmsKeyShareCipher,
  THROTTLE_RETRY_AFTER_SECONDS,
  createKmsClient,
  resolveAwsKmsOptions,
  type AwsKmsMode,
} from '../src';
import { bytes, startMotoFixture, text, type MotoFixture, type TestKey } from './moto-fixture';

const CONTEXT = { ewi: 'wallet-failures' };
const MODES: readonly AwsKmsMode[] = ['direct', 'envelope'];

let fixture: MotoFixture;
let key: TestKey;
let otherKey: TestKey;

beforeAll(async () => {
  fixture = await startMotoFixture();
  key = await fixture.createKey();
  otherKey = await fixture.createKey();
}, 60_000);

afterAll(async () => fixture?.close(), 30_000);

function missingKeyArn(): string {
  return `arn:aws:kms:${fixture.moto.region}:${MOTO_ACCOUNT_ID}:key/00000000-0000-4000-8000-000000000000`;
}

describe.each(MODES)('%s mode', (mode) => {
  it('rejects a tampered ciphertext', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn, mode });
    const ciphertext = await cipher.encrypt(bytes('share'), CONTEXT);
    const tampered = Uint8Array.from(ciphertext);
    tampered[tampered.length - 1]! ^= 0x01;

    await expect(cipher.decrypt(tampered, CONTEXT)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
  });

  it('rejects the wrong context', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn, mode });
    const ciphertext = await cipher.encrypt(bytes('share'), CONTEXT);

    await expect(cipher.decrypt(ciphertext, { ewi: 'another-wallet' })).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
  });

  it('rejects a ciphertext of another key', async () => {
    const other = await fixture.createCipher({ keyId: otherKey.arn, mode });
    const cipher = await fixture.createCipher({ keyId: key.arn, mode });
    const ciphertext = await other.encrypt(bytes('share'), CONTEXT);

    await expect(cipher.decrypt(ciphertext, CONTEXT)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
  });

  it('reports a missing configured key on encrypt', async () => {
    const cipher = await fixture.createCipher({ keyId: missingKeyArn(), mode });

    const failure = cipher.encrypt(bytes('share'), CONTEXT);

    await expect(failure).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    await expect(failure).rejects.toThrow(missingKeyArn());
  });

  it('rejects oversize plaintext before any KMS call', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn, mode });
    fixture.moto.resetRequestCount();

    await expect(cipher.encrypt(new Uint8Array(4097), CONTEXT)).rejects.toMatchObject({
      code: 'PLAINTEXT_TOO_LARGE',
    });
    expect(fixture.moto.requestCount()).toBe(0);
  });

  it('maps throttling after retries to PROVIDER_THROTTLED', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn, mode, maxAttempts: 2 });
    const action = mode === 'direct' ? 'Encrypt' : 'GenerateDataKey';
    fixture.moto.resetRequestCount();
    fixture.moto.injectFault({ type: 'ThrottlingException', action }, 2);

    const failure = cipher.encrypt(bytes('share'), CONTEXT);

    await expect(failure).rejects.toMatchObject({
      code: 'PROVIDER_THROTTLED',
      retryAfterSeconds: THROTTLE_RETRY_AFTER_SECONDS,
    });
    expect(fixture.moto.requestsByAction()[action]).toBe(2);
  }, 30_000);

  it('succeeds when a retry follows one throttle', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn, mode, maxAttempts: 3 });
    fixture.moto.injectFault({ type: 'ThrottlingException' }, 1);

    const ciphertext = await cipher.encrypt(bytes('share'), CONTEXT);

    expect(fixture.moto.pendingFaults()).toBe(0);
    expect(text(await cipher.decrypt(ciphertext, CONTEXT))).toBe('share');
  }, 30_000);

  it('maps a disabled key to KEY_UNUSABLE', async () => {
    // moto 5.2 still encrypts under a disabled key, so the proxy returns the error AWS KMS sends.
    const cipher = await fixture.createCipher({ keyId: key.arn, mode });
    fixture.moto.injectFault({ type: 'DisabledException', message: `${key.arn} is disabled.` });

    await expect(cipher.encrypt(bytes('share'), CONTEXT)).rejects.toMatchObject({
      code: 'KEY_UNUSABLE',
    });
  });

  it('maps a key pending deletion to KEY_UNUSABLE', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn, mode });
    const ciphertext = await cipher.encrypt(bytes('share'), CONTEXT);
    fixture.moto.injectFault({
      type: 'KMSInvalidStateException',
      message: `${key.arn} is pending deletion.`,
    });

    await expect(cipher.decrypt(ciphertext, CONTEXT)).rejects.toMatchObject({
      code: 'KEY_UNUSABLE',
    });
  });

  it('maps an IAM denial to KEY_ACCESS_DENIED', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn, mode });
    const ciphertext = await cipher.encrypt(bytes('share'), CONTEXT);
    fixture.moto.injectFault({
      type: 'AccessDeniedException',
      message: `User: arn:aws:sts::${MOTO_ACCOUNT_ID}:assumed-role/app is not authorized to perform: kms:Decrypt`,
    });

    await expect(cipher.decrypt(ciphertext, CONTEXT)).rejects.toMatchObject({
      code: 'KEY_ACCESS_DENIED',
    });
  });

  it('maps a KMS server fault to PROVIDER_UNAVAILABLE', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn, mode });
    fixture.moto.injectFault({ type: 'KMSInternalException', status: 500 });

    await expect(cipher.encrypt(bytes('share'), CONTEXT)).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
    });
  });

  it('recovers after the emulator stops and restarts', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn, mode });
    const ciphertext = await cipher.encrypt(bytes('share'), CONTEXT);

    await fixture.moto.stop();
    try {
      await expect(cipher.encrypt(bytes('share'), CONTEXT)).rejects.toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
      });
      await expect(cipher.decrypt(ciphertext, CONTEXT)).rejects.toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
      });
    } finally {
      await fixture.moto.restart();
    }

    expect(text(await cipher.decrypt(ciphertext, CONTEXT))).toBe('share');
  }, 30_000);

  it('keeps plaintext and ciphertext out of errors', async () => {
    const secret = 'top-secret-share-value';
    const cipher = await fixture.createCipher({ keyId: key.arn, mode });
    const ciphertext = await cipher.encrypt(bytes(secret), CONTEXT);
    const failures: unknown[] = [];

    await cipher
      .decrypt(ciphertext, { ewi: 'another-wallet' })
      .catch((error: unknown) => failures.push(error));
    fixture.moto.injectFault({ type: 'KMSInternalException', status: 500 });
    await cipher.encrypt(bytes(secret), CONTEXT).catch((error: unknown) => failures.push(error));

    expect(failures).toHaveLength(2);
    for (const failure of failures) {
      const dump = inspect(failure, { depth: 20, showHidden: true });
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(Buffer.from(secret).toString('base64'));
      expect(dump).not.toContain(Buffer.from(ciphertext).toString('base64'));
    }
  });
});

describe('direct mode key lookup on decrypt', () => {
  it('reports a missing configured key as KEY_NOT_FOUND', async () => {
    const owner = await fixture.createCipher({ keyId: key.arn });
    const ciphertext = await owner.encrypt(bytes('share'), CONTEXT);
    const cipher = await fixture.createCipher({ keyId: missingKeyArn() });

    await expect(cipher.decrypt(ciphertext, CONTEXT)).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
    });
  });

  it('treats a key named in the blob that does not exist as DECRYPTION_FAILED', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn });
    const ciphertext = await cipher.encrypt(bytes('share'), CONTEXT);
    // moto's blob starts with the key id in ASCII: point it at a key that does not exist.
    const mangled = Uint8Array.from(ciphertext);
    mangled.set(new TextEncoder().encode('00000000'), 0);

    await expect(cipher.decrypt(mangled, CONTEXT)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
  });

  it('treats a NotFoundException about the blob as DECRYPTION_FAILED', async () => {
    const cipher = await fixture.createCipher({ keyId: key.arn });
    const ciphertext = await cipher.encrypt(bytes('share'), CONTEXT);
    fixture.moto.injectFault({ type: 'NotFoundException', action: 'Decrypt' });

    await expect(cipher.decrypt(ciphertext, CONTEXT)).rejects.toMatchObject({
      code: 'DECRYPTION_FAILED',
    });
  });
});

describe('createAwsKmsKeyShareCipher', () => {
  it('rejects an alias that does not exist', async () => {
    const creation = createAwsKmsKeyShareCipher({
      keyId: 'alias/does-not-exist',
      endpoint: fixture.moto.endpoint,
      region: fixture.moto.region,
    });

    await expect(creation).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    await expect(creation).rejects.toThrow('alias/does-not-exist');
  });

  it('resolves an alias to the key ARN once', async () => {
    await fixture.createKey('alias/split-kms-resolve');
    const target = (await fixture.admin.describeKey({ KeyId: 'alias/split-kms-resolve' }))
      .KeyMetadata!.Arn;
    fixture.moto.resetRequestCount();

    const cipher = await fixture.createCipher({
      keyId: 'alias/split-kms-resolve',
      mode: 'envelope',
    });

    expect(cipher.keyArn).toBe(target);
    expect(fixture.moto.requestsByAction()).toEqual({ DescribeKey: 1 });
  });
});

describe('request timeout', () => {
  it('maps a KMS that never answers to PROVIDER_UNAVAILABLE', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const { port } = silent.address() as { port: number };
    const options = resolveAwsKmsOptions({
      keyId: key.arn,
      endpoint: `http://127.0.0.1:${port}`,
      region: fixture.moto.region,
      requestTimeoutMs: 200,
      maxAttempts: 1,
    });
    const cipher = new DirectKmsKeyShareCipher({
      client: createKmsClient(options),
      keyArn: key.arn,
      ownsClient: true,
    });
    const started = Date.now();

    try {
      await expect(cipher.encrypt(bytes('share'), CONTEXT)).rejects.toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
      });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await cipher.close();
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });
});

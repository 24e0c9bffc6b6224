import { addressOf, combineShares, createWallet, splitKey } from './wallet';

/** Observations of the vendor flow, for the demo to print and the test to check. */
export interface VendorFlowResult {
  readonly address: string;
  readonly rebuiltAddress: string;
  readonly ciphertextBytes: number;
  /** HTTP status and error code of wallet B's attempt to decrypt wallet A's share. */
  readonly otherWallet: { readonly status: number; readonly errorCode: string };
}

/** The two calls a wallet vendor makes, and the tokens it holds. */
export interface VendorFlowOptions {
  readonly baseUrl: string;
  readonly tokenFor: (ewi: string) => Promise<string>;
  readonly log?: (line: string) => void;
}

interface Envelope {
  readonly data: Record<string, string>;
  readonly error_code: string;
  readonly message: string;
  readonly status: string;
}

/**
 * Does what a wallet vendor does: creates a key, splits it, has the device
 * share encrypted and decrypted for wallet A over HTTP, rebuilds the key,
 * and checks that wallet B cannot decrypt wallet A's share.
 */
export async function runVendorFlow(options: VendorFlowOptions): Promise<VendorFlowResult> {
  const log = options.log ?? (() => undefined);
  const wallet = createWallet();
  const shares = await splitKey(wallet.privateKey);
  log(`Created wallet ${wallet.address} and split its key into 3 shares (any 2 rebuild it).`);

  const tokenA = await options.tokenFor('wallet-a');
  const encrypted = await call(options.baseUrl, '/encrypt', tokenA, {
    plaintext: toBase64(shares.deviceShare),
  });
  const ciphertext = expectOk(encrypted, 'encrypt').data['ciphertext']!;
  log(
    `Encrypted the device share for wallet-a: ${Buffer.from(ciphertext, 'base64').length} bytes of ciphertext.`,
  );

  const decrypted = await call(options.baseUrl, '/decrypt', tokenA, { ciphertext });
  const deviceShare = fromBase64(expectOk(decrypted, 'decrypt').data['plaintext']!);
  const rebuiltAddress = addressOf(await combineShares([deviceShare, shares.vendorShare]));
  log(
    `Decrypted it for wallet-a and rebuilt the key from the device and vendor shares: ${rebuiltAddress}.`,
  );

  const tokenB = await options.tokenFor('wallet-b');
  const stolen = await call(options.baseUrl, '/decrypt', tokenB, { ciphertext });
  log(
    `Wallet-b tried to decrypt wallet-a's share: HTTP ${stolen.status} ${stolen.body.error_code}.`,
  );

  return {
    address: wallet.address,
    rebuiltAddress,
    ciphertextBytes: Buffer.from(ciphertext, 'base64').length,
    otherWallet: { status: stolen.status, errorCode: stolen.body.error_code },
  };
}

async function call(
  baseUrl: string,
  path: string,
  token: string,
  body: object,
): Promise<{ status: number; body: Envelope }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  return { status: response.status, body: (await response.json()) as Envelope };
}

function expectOk(result: { status: number; body: Envelope }, operation: string): Envelope {
  if (result.status !== 200) {
    throw new Error(
      `${operation} failed: HTTP ${result.status} ${result.body.error_code} ${result.body.message}`,
    );
  }

  return result.body;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}

import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { combine, split } from 'shamir-secret-sharing';

/** A freshly created Ethereum wallet key. */
export interface Wallet {
  readonly privateKey: Uint8Array;
  readonly address: string;
}

/** The shares a wallet vendor makes of a private key. */
export interface KeyShares {
  /** Encrypted by the customer's Split KMS service and kept on the device. */
  readonly deviceShare: Uint8Array;
  /** Kept by the wallet vendor. */
  readonly vendorShare: Uint8Array;
  /** A recovery share, kept offline by the user. */
  readonly recoveryShare: Uint8Array;
}

/** Creates a random secp256k1 private key and its Ethereum address. */
export function createWallet(): Wallet {
  const privateKey = secp256k1.utils.randomSecretKey();

  return { privateKey, address: addressOf(privateKey) };
}

/**
 * Derives the EIP-55 checksummed Ethereum address of a private key: the last
 * 20 bytes of the Keccak-256 hash of the uncompressed public key without its 0x04 prefix.
 */
export function addressOf(privateKey: Uint8Array): string {
  const publicKey = secp256k1.getPublicKey(privateKey, false).subarray(1);
  const address = Buffer.from(keccak_256(publicKey).subarray(-20)).toString('hex');
  const checksum = Buffer.from(keccak_256(new TextEncoder().encode(address))).toString('hex');

  const letters = [...address].map((character, index) =>
    Number.parseInt(checksum[index]!, 16) >= 8 ? character.toUpperCase() : character,
  );

  return `0x${letters.join('')}`;
}

/** Splits a private key into three Shamir shares, any two of which rebuild it. */
export async function splitKey(privateKey: Uint8Array): Promise<KeyShares> {
  const [deviceShare, vendorShare, recoveryShare] = await split(privateKey, 3, 2);

  return { deviceShare: deviceShare!, vendorShare: vendorShare!, recoveryShare: recoveryShare! };
}

/** Rebuilds a private key from two or more shares. */
export async function combineShares(shares: readonly Uint8Array[]): Promise<Uint8Array> {
  return combine([...shares]);
}

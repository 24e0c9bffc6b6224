import { addressOf, combineShares, createWallet, splitKey } from '../src/wallet';

describe('wallet helpers', () => {
  it('derives a known address', () => {
    // Private key 1 is the generator point; its address is a well-known constant.
    const privateKey = new Uint8Array(32);
    privateKey[31] = 1;

    expect(addressOf(privateKey)).toBe('0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf');
  });

  it('rebuilds the key from any two shares', async () => {
    const wallet = createWallet();
    const { deviceShare, vendorShare, recoveryShare } = await splitKey(wallet.privateKey);

    for (const pair of [
      [deviceShare, vendorShare],
      [deviceShare, recoveryShare],
      [vendorShare, recoveryShare],
    ]) {
      expect(addressOf(await combineShares(pair))).toBe(wallet.address);
    }
  });

  it('cannot rebuild the key from one share', async () => {
    const wallet = createWallet();
    const { deviceShare } = await splitKey(wallet.privateKey);

    await expect(combineShares([deviceShare])).rejects.toThrow();
  });
});

import { describe, expect, it } from '@jest/globals';

import { IvSource } from '../src/iv-source';

describe('IvSource', () => {
  it('hands out 12-byte IVs that never repeat, across refills', () => {
    const source = new IvSource();
    const ivs = Array.from({ length: 1000 }, () => source.next());

    expect(ivs.every((iv) => iv.length === 12)).toBe(true);
    expect(new Set(ivs.map((iv) => iv.toString('hex'))).size).toBe(1000);
  });

  it('returns copies that later IVs do not overwrite', () => {
    const source = new IvSource();
    const first = source.next();
    const copy = Buffer.from(first);

    for (let index = 0; index < 600; index += 1) {
      source.next();
    }

    expect(first).toEqual(copy);
  });
});

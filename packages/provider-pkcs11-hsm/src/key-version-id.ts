/**
 * Key versions share one `CKA_LABEL` and differ in `CKA_ID`, which contains the
 * version as a 4-byte unsigned big-endian integer from 1: version 1 is
 * `00 00 00 01`. Objects with the label but another `CKA_ID` are not versions.
 */
export const KEY_VERSION_ID_BYTES = 4;

/** Encodes a key version as its `CKA_ID`. */
export function encodeKeyVersionId(version: number): Buffer {
  if (!Number.isInteger(version) || version < 1 || version > 0xffffffff) {
    throw new TypeError('Key version must be an integer from 1 to 4294967295.');
  }

  const id = Buffer.alloc(KEY_VERSION_ID_BYTES);
  id.writeUInt32BE(version, 0);

  return id;
}

/** Decodes a `CKA_ID` as a key version, or returns `undefined` when it is not one. */
export function decodeKeyVersionId(id: Uint8Array | undefined): number | undefined {
  if (id === undefined || id.length !== KEY_VERSION_ID_BYTES) {
    return undefined;
  }

  const version = Buffer.from(id).readUInt32BE(0);

  return version === 0 ? undefined : version;
}

import { ProviderUnavailableError } from '@split-kms/core';

import type { Handle, Pkcs11Api } from './pkcs11-api';
import type { Pkcs11Settings } from './options';

/** Reads a slot handle (a native `CK_ULONG`) as a number. */
export function slotIdOf(handle: Handle): number {
  return handle.length >= 8 ? Number(handle.readBigUInt64LE(0)) : handle.readUInt32LE(0);
}

/** Returns a token label without the blank padding PKCS#11 adds. */
export function trimLabel(label: string): string {
  let end = label.length;
  while (end > 0 && (label[end - 1] === ' ' || label[end - 1] === '\0')) {
    end -= 1;
  }

  return label.slice(0, end);
}

/** Finds the slot of the configured token, by label or by slot id. */
export function findSlot(
  library: Pkcs11Api,
  settings: Pick<Pkcs11Settings, 'tokenLabel' | 'slot'>,
): Handle {
  const slots = library.C_GetSlotList(true);

  if (settings.slot !== undefined) {
    const slot = slots.find((handle) => slotIdOf(handle) === settings.slot);
    if (slot === undefined) {
      throw new ProviderUnavailableError(
        `No token is present in slot ${settings.slot}. Check the slot id (PKCS11_SLOT) with ` +
          '`pkcs11-tool --module <library> --list-slots`.',
      );
    }

    return slot;
  }

  const slot = slots.find(
    (handle) => trimLabel(library.C_GetTokenInfo(handle).label) === settings.tokenLabel,
  );
  if (slot === undefined) {
    throw new ProviderUnavailableError(
      `No token labelled "${settings.tokenLabel}" was found. Check the token label (PKCS11_TOKEN_LABEL) with ` +
        '`pkcs11-tool --module <library> --list-token-slots`.',
    );
  }

  return slot;
}

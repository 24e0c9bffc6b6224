import type { HeaderValue } from './types';

/** Returns a header's value by case-insensitive name. Several headers of one name come back as an array. */
export function getHeader(
  headers: Readonly<Record<string, HeaderValue>>,
  name: string,
): HeaderValue {
  const expectedName = name.toLowerCase();
  const values: string[] = [];

  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === expectedName && value !== undefined) {
      values.push(...(typeof value === 'string' ? [value] : value));
    }
  }

  if (values.length === 0) {
    return undefined;
  }

  return values.length === 1 ? values[0] : values;
}

/** Returns a header's value, or `undefined` when it is absent or present more than once. */
export function getSingleHeader(
  headers: Readonly<Record<string, HeaderValue>>,
  name: string,
): string | undefined {
  const value = getHeader(headers, name);

  return typeof value === 'string' ? value : undefined;
}

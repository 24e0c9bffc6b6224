import { DEVELOPMENT_ONLY_WARNING } from '@split-kms/provider-software';

/** Contents of the start-up banner. */
export interface BannerOptions {
  readonly url: string;
  /** Primary provider and decrypt-only providers, as configured. */
  readonly providers: readonly string[];
  /** Whether tokens are verified with the local development key (no `JWKS_URL`). */
  readonly developmentTokens: boolean;
  readonly developmentJwksPath: string;
}

const RULE = '='.repeat(78);

/** Formats the banner the local server prints once it listens. */
export function formatStartupBanner(options: BannerOptions): string {
  const lines = [
    `Split KMS API listening on ${options.url}`,
    `Providers: ${options.providers.join(', ')}`,
  ];

  if (options.providers.includes('software')) {
    lines.push('', RULE, `!! ${DEVELOPMENT_ONLY_WARNING}`, RULE);
  }

  if (options.developmentTokens) {
    lines.push(
      '',
      'Tokens: signed by the development key in .split-kms/dev-jwt-key.json (JWKS_URL is not set).',
      `Its public JWKS is served at ${options.url}${options.developmentJwksPath} (development mode only).`,
      'Mint a token for a wallet id:',
      '  TOKEN=$(npm run -s token -- wallet-a)',
    );
  } else {
    lines.push('', 'Tokens: verified against JWKS_URL, as in production.');
  }

  lines.push(
    '',
    'Encrypt, then decrypt the ciphertext it returns:',
    `  curl -s -X POST ${options.url}/encrypt -H "Authorization: Bearer $TOKEN" \\`,
    `    -H 'Content-Type: application/json' -d '{"plaintext":"my device share"}'`,
    `  curl -s -X POST ${options.url}/decrypt -H "Authorization: Bearer $TOKEN" \\`,
    `    -H 'Content-Type: application/json' -d '{"ciphertext":"<ciphertext from encrypt>"}'`,
    '',
    'Stop with Ctrl+C.',
  );

  return lines.join('\n');
}

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { ConfigurationError } from '../../config/configuration-error';
import type { EnvironmentReader } from '../../config/environment-reader';

/** The source of the PKCS#11 user PIN. */
export type Pkcs11PinSource =
  /** `PKCS11_PIN`: the PIN itself, for local runs and tests. */
  | { readonly kind: 'value'; readonly pin: string }
  /** `PKCS11_PIN_SECRET_ARN`: a Secrets Manager secret, read once at start-up. */
  | { readonly kind: 'secret'; readonly secretArn: string };

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
const SECRET_TIMEOUT_MS = 5000;
const PIN_FIX =
  'Set PKCS11_PIN_SECRET_ARN to the ARN of a Secrets Manager secret that holds the PIN ("user:password" on AWS CloudHSM), or PKCS11_PIN for local runs.';

/**
 * Reads `PKCS11_PIN` or `PKCS11_PIN_SECRET_ARN` (exactly one). Problem lines
 * never quote the PIN.
 */
export function readPinSource(
  reader: EnvironmentReader,
  env: Readonly<Record<string, string | undefined>>,
): Pkcs11PinSource | undefined {
  const pin = env['PKCS11_PIN'];
  const secretArn = env['PKCS11_PIN_SECRET_ARN'];
  const hasPin = pin !== undefined && pin.length > 0;
  const hasSecret = secretArn !== undefined && secretArn.length > 0;

  if (hasPin && hasSecret) {
    reader.addProblem(
      'PKCS11_PIN',
      'is set together with PKCS11_PIN_SECRET_ARN.',
      'Set only one of the two.',
    );
    return undefined;
  }
  if (hasSecret) {
    if (!SECRET_ARN.test(secretArn)) {
      reader.addProblem(
        'PKCS11_PIN_SECRET_ARN',
        `"${secretArn}" is not a Secrets Manager secret ARN.`,
        PIN_FIX,
      );
      return undefined;
    }
    return { kind: 'secret', secretArn };
  }
  if (!hasPin) {
    reader.addProblem('PKCS11_PIN', 'is not set, and neither is PKCS11_PIN_SECRET_ARN.', PIN_FIX);
    return undefined;
  }

  return { kind: 'value', pin };
}

/**
 * Returns the PIN, reading the secret when the source is Secrets Manager. The
 * secret string is either the PIN itself or a JSON object with a `pin` field.
 * The region comes from the ARN; the SDK's standard variables (such as
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`) apply.
 *
 * @throws ConfigurationError naming PKCS11_PIN_SECRET_ARN, never the PIN.
 */
export async function resolvePin(source: Pkcs11PinSource): Promise<string> {
  if (source.kind === 'value') {
    return source.pin;
  }

  const region = source.secretArn.split(':')[3];
  const client = new SecretsManagerClient({
    region,
    requestHandler: { requestTimeout: SECRET_TIMEOUT_MS },
  });
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: source.secretArn }));

    return pinFromSecretString(output.SecretString, source.secretArn);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      throw error;
    }
    const name = error instanceof Error ? error.name : 'Error';
    throw new ConfigurationError([
      `PKCS11_PIN_SECRET_ARN: reading secret ${source.secretArn} failed (${name}). ` +
        'Check that the secret exists in that region and that the function may call secretsmanager:GetSecretValue on it.',
    ]);
  } finally {
    client.destroy();
  }
}

function pinFromSecretString(secretString: string | undefined, secretArn: string): string {
  const text = secretString?.trim() ?? '';
  const pin = text.startsWith('{') ? pinFromJson(text) : text;
  if (pin.length === 0) {
    throw new ConfigurationError([
      `PKCS11_PIN_SECRET_ARN: secret ${secretArn} has no PIN. Store the PIN as the secret string, or as JSON {"pin": "..."}.`,
    ]);
  }

  return pin;
}

function pinFromJson(text: string): string {
  try {
    const value = (JSON.parse(text) as { pin?: unknown }).pin;
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

import { describe, expect, it } from '@jest/globals';

import { DEFAULT_CORS_ORIGIN, DEFAULT_JWKS_URL, parseApiConfig } from '../src/config/api-config';
import { ConfigurationError } from '../src/config/configuration-error';
import { findProviderModule } from '../src/composition/providers/registry';
import { loadServiceConfiguration } from '../src/composition/service-configuration';
import { PROVIDER_NAMES } from '../src/config/api-config';

describe('parseApiConfig', () => {
  it('applies the documented defaults in Lambda', () => {
    const { config, problems } = parseApiConfig({}, 'lambda');

    expect(problems).toEqual([]);
    expect(config.cipher).toEqual({ primary: 'aws-kms', decryptOnly: [] });
    expect(config.auth.jwks).toEqual({ kind: 'remote', url: new URL(DEFAULT_JWKS_URL) });
    expect(config.auth.algorithms).toEqual(['RS256']);
    expect(config.auth.clockToleranceSeconds).toBe(0);
    expect(config.auth.jwksTimeoutMs).toBe(3000);
    expect(config.auth.jwksCacheMaxAgeSeconds).toBe(600);
    expect(config.auth.jwksCooldownSeconds).toBe(30);
    expect(config.corsOrigins).toEqual({ kind: 'list', origins: [DEFAULT_CORS_ORIGIN] });
    expect(config.maxBodyBytes).toBe(65_536);
    expect(config.deepHealthCheck).toBe(true);
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.serviceName).toBe('split-kms');
    expect(config.metricsNamespace).toBe('SplitKMS');
  });

  it('defaults locally to software and the development JWKS', () => {
    const { config } = parseApiConfig({}, 'local');

    expect(config.cipher.primary).toBe('software');
    expect(config.auth.jwks).toEqual({ kind: 'development' });
  });

  it('uses JWKS_URL locally when set', () => {
    const { config } = parseApiConfig({ JWKS_URL: 'http://127.0.0.1:9/jwks.json' }, 'local');

    expect(config.auth.jwks).toEqual({
      kind: 'remote',
      url: new URL('http://127.0.0.1:9/jwks.json'),
    });
  });

  it('reads lists, numbers and booleans', () => {
    const { config, problems } = parseApiConfig(
      {
        KEY_SHARE_CIPHER: 'pkcs11',
        KEY_SHARE_CIPHER_DECRYPT_ONLY: ' aws-kms , software ',
        JWT_ALGORITHMS: 'RS256,ES256',
        JWT_ISSUER: 'https://issuer.test',
        JWT_AUDIENCE: 'split-kms',
        CORS_ALLOW_ORIGINS: 'https://a.test, https://b.test:8443',
        MAX_BODY_BYTES: '2048',
        DEEP_HEALTH_CHECK: 'FALSE',
        PORT: '0',
      },
      'lambda',
    );

    expect(problems).toEqual([]);
    expect(config.cipher).toEqual({ primary: 'pkcs11', decryptOnly: ['aws-kms', 'software'] });
    expect(config.auth.algorithms).toEqual(['RS256', 'ES256']);
    expect(config.auth.issuer).toBe('https://issuer.test');
    expect(config.auth.audience).toBe('split-kms');
    expect(config.corsOrigins).toEqual({
      kind: 'list',
      origins: ['https://a.test', 'https://b.test:8443'],
    });
    expect(config.maxBodyBytes).toBe(2048);
    expect(config.deepHealthCheck).toBe(false);
    expect(config.port).toBe(0);
  });

  it('accepts * for CORS only when set explicitly', () => {
    expect(parseApiConfig({ CORS_ALLOW_ORIGINS: '*' }, 'lambda').config.corsOrigins).toEqual({
      kind: 'any',
    });
  });

  const invalidSettings: readonly [string, string, string][] = [
    ['KEY_SHARE_CIPHER', 'vault', 'is not supported'],
    ['KEY_SHARE_CIPHER_DECRYPT_ONLY', 'software,vault', 'is not a provider'],
    ['KEY_SHARE_CIPHER_DECRYPT_ONLY', 'software,software', 'listed twice'],
    ['JWKS_URL', 'ftp://x', 'is not an http(s) URL'],
    ['JWKS_URL', 'not a url', 'is not a valid URL'],
    ['JWT_ALGORITHMS', 'none', 'is not allowed'],
    ['JWT_ALGORITHMS', 'RS256,HS256', 'is not allowed'],
    ['JWT_ALGORITHMS', 'RS257', 'is not a supported algorithm'],
    ['JWT_ALGORITHMS', ',', 'lists no algorithm'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', '-1', 'is not a whole number'],
    ['JWKS_TIMEOUT_MS', '3s', 'is not a whole number'],
    ['JWKS_CACHE_MAX_AGE_SECONDS', '1e3', 'is not a whole number'],
    ['JWKS_COOLDOWN_SECONDS', '99999', 'is not a whole number'],
    ['CORS_ALLOW_ORIGINS', 'https://a.test/path', 'is not an origin'],
    ['CORS_ALLOW_ORIGINS', '*,https://a.test', 'mixes *'],
    ['MAX_BODY_BYTES', '12', 'is not a whole number'],
    ['DEEP_HEALTH_CHECK', 'yes', 'is not a boolean'],
    ['PORT', '70000', 'is not a whole number'],
  ];

  it.each(invalidSettings)('names %s when it is %j', (name, value, problem) => {
    const { problems } = parseApiConfig({ [name]: value }, 'lambda');

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
    expect(problems[0]).toContain(problem);
    expect(problems[0]).toMatch(/Set it to|List |Choose /);
  });

  it('reports the JWKS_URL problem in the documented form', () => {
    const { problems } = parseApiConfig({ JWKS_URL: 'ftp://x' }, 'lambda');

    expect(problems).toEqual([
      'JWKS_URL: "ftp://x" is not an http(s) URL. Set it to the JWKS address of your token issuer.',
    ]);
  });

  it('shortens long values in problem lines', () => {
    const { problems } = parseApiConfig({ PORT: '9'.repeat(500) }, 'lambda');

    expect(problems[0]!.length).toBeLessThan(250);
  });
});

describe('loadServiceConfiguration', () => {
  it('collects every problem into one ConfigurationError', () => {
    let caught: unknown;
    try {
      loadServiceConfiguration(
        { KEY_SHARE_CIPHER: 'software', PORT: 'x', JWKS_URL: 'ftp://x' },
        'lambda',
      );
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(ConfigurationError);
    const problems = (caught as ConfigurationError).problems;
    expect(problems.map((line) => line.split(':')[0])).toEqual(['JWKS_URL', 'PORT']);
    expect((caught as ConfigurationError).message).toContain('  - PORT: "x"');
  });

  it('returns the software provider with its key file', () => {
    const configuration = loadServiceConfiguration({ SOFTWARE_KEY_FILE: 'keys/dev.json' }, 'local');

    expect(configuration.primary.module.name).toBe('software');
    expect(configuration.primary.config).toEqual({ keyFile: 'keys/dev.json' });
    expect(configuration.decryptOnly).toEqual([]);
  });
});

describe('provider registry', () => {
  it.each(PROVIDER_NAMES)('accepts %s only when this build has it', (name) => {
    const problems = problemsOf(() =>
      loadServiceConfiguration({ KEY_SHARE_CIPHER: name }, 'lambda'),
    );
    const unavailable = problems.filter((line) => line.includes('is not available in this build'));

    if (findProviderModule(name) === undefined) {
      expect(unavailable).toEqual([
        `KEY_SHARE_CIPHER: provider "${name}" is not available in this build. Choose another provider, or use a build that includes it.`,
      ]);
    } else {
      expect(unavailable).toEqual([]);
    }
  });
});

function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      return error.problems;
    }
    throw error;
  }

  return [];
}

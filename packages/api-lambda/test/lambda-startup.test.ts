import { describe, expect, it } from '@jest/globals';

import { Logger } from '@aws-lambda-powertools/logger';

import { createLazyHandler } from '../src/composition/lazy-handler';
import { ConfigurationError } from '../src/config/configuration-error';
import type { ApiHandler } from '../src/http/types';
import { createCapturingLogger } from './support/log-capture';
import { envelopeOf } from './support/service';

const healthz = { method: 'GET', path: '/healthz', headers: {} };

describe('createLazyHandler', () => {
  it('answers SERVICE_MISCONFIGURED and retries on the next request', async () => {
    let attempts = 0;
    const build = async (): Promise<ApiHandler> => {
      attempts += 1;
      if (attempts === 1) {
        throw new ConfigurationError([
          'JWKS_URL: "ftp://x" is not an http(s) URL. Set it to the JWKS address.',
        ]);
      }

      return async () => ({ statusCode: 200, headers: {}, body: '{}' });
    };
    const handle = createLazyHandler(build, new Logger({ logLevel: 'SILENT' }), {});

    const failed = await handle(healthz);
    expect(failed.statusCode).toBe(500);
    expect(envelopeOf(failed)).toMatchObject({
      error_code: 'SERVICE_MISCONFIGURED',
      status: 'INTERNAL_SERVER_ERROR',
    });
    expect(failed.headers['Access-Control-Allow-Origin']).toBe('https://auth.magic.link');

    expect((await handle(healthz)).statusCode).toBe(200);
    await handle(healthz);
    expect(attempts).toBe(2);
  });

  it('logs the same start-up failure once', async () => {
    const { logger, lines } = createCapturingLogger('ERROR');
    const handle = createLazyHandler(
      async () => {
        throw new ConfigurationError(['PORT: "x" is not a whole number. Set it to a TCP port.']);
      },
      logger,
      {},
    );

    await handle(healthz);
    await handle(healthz);

    const failures = lines.filter((line) => line.includes('Service failed to start'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('PORT: \\"x\\" is not a whole number');
  });
});

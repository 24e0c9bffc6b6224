import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

import type { DeploymentSettings } from '../settings/types';

/** Properties of `SplitKmsHttpApi`. */
export interface SplitKmsHttpApiProps {
  readonly handler: lambda.IFunction;
  readonly settings: DeploymentSettings;
}

/**
 * Request fields written to the access log. No header is logged, so the
 * bearer token never reaches the log; the wallet id is not known here.
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integrationErrorMessage',
};

/**
 * The HTTP API in front of the function.
 *
 * Every route, preflights and unknown paths included, goes to the function,
 * so that every response carries the API's JSON envelope and CORS headers.
 * API Gateway's own CORS configuration would respond to preflights itself and
 * could disagree with the function's headers, so it stays off.
 */
export class SplitKmsHttpApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  readonly domainName?: apigwv2.DomainName;
  private readonly customDomain?: string;

  constructor(scope: Construct, id: string, props: SplitKmsHttpApiProps) {
    super(scope, id);
    const { settings } = props;
    const integration = new HttpLambdaIntegration('Handler', props.handler, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });

    // The $default route sends unknown paths to the function, which returns 404 INVALID_PATH.
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `split-kms-${settings.envName}`,
      description:
        'Split KMS: encrypts and decrypts wallet key shares bound to the wallet id of the caller.',
      createDefaultStage: false,
      defaultIntegration: integration,
    });
    addRoutes(this.api, integration);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: settings.logRetentionDays as logs.RetentionDays,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.throttleRateLimit, burstLimit: settings.throttleBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    if (settings.domainName !== undefined && settings.acmCertArn !== undefined) {
      this.customDomain = settings.domainName;
      this.domainName = this.addCustomDomain(settings.domainName, settings.acmCertArn);
    }
  }

  /** The URL that callers use: the custom domain when there is one, else the execute-api endpoint. */
  get url(): string {
    return this.customDomain === undefined ? this.stage.url : `https://${this.customDomain}/`;
  }

  private addCustomDomain(domainName: string, certificateArn: string): apigwv2.DomainName {
    const domain = new apigwv2.DomainName(this, 'CustomDomain', {
      domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn),
      securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
    });
    new apigwv2.ApiMapping(this, 'CustomDomainMapping', {
      api: this.api,
      domainName: domain,
      stage: this.stage,
    });

    return domain;
  }
}

function addRoutes(api: apigwv2.HttpApi, integration: HttpLambdaIntegration): void {
  api.addRoutes({ path: '/healthz', methods: [apigwv2.HttpMethod.GET], integration });
  api.addRoutes({ path: '/encrypt', methods: [apigwv2.HttpMethod.POST], integration });
  api.addRoutes({ path: '/decrypt', methods: [apigwv2.HttpMethod.POST], integration });
  api.addRoutes({ path: '/{proxy+}', methods: [apigwv2.HttpMethod.OPTIONS], integration });
}

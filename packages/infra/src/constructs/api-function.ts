import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

import { API_LAMBDA_ENTRY, API_LAMBDA_TSCONFIG, LOCK_FILE, REPOSITORY_ROOT } from '../paths';
import { usesKms } from '../settings/load-settings';
import { computeFunctionTimeoutSeconds } from '../settings/timeout-budget';
import type { DeploymentSettings } from '../settings/types';
import { pkcs11AddonCommandHooks } from './pkcs11-addon';

/** Placement of a function that must reach an HSM: subnets and security group in the customer's VPC. */
export interface FunctionNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: readonly ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
}

/** Properties of `ApiFunction`. */
export interface ApiFunctionProps {
  readonly settings: DeploymentSettings;
  readonly environment: Readonly<Record<string, string>>;
  /** @default the function runs outside any VPC */
  readonly network?: FunctionNetwork;
  /** @default no layers */
  readonly layers?: readonly lambda.ILayerVersion[];
}

/**
 * The Lambda function that serves the API, bundled by esbuild from the
 * api-lambda sources, with its own log group and a role that starts with only
 * the permission to write that log group.
 */
export class ApiFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);
    const { settings } = props;
    const usesHsm = settings.hsm !== undefined;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: settings.logRetentionDays as logs.RetentionDays,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Split KMS API function: its log group, its key with a wallet context, and nothing else.',
    });
    this.logGroup.grantWrite(this.role);

    if (props.network !== undefined) {
      this.role.addToPrincipalPolicy(networkInterfaceStatement());
    }

    this.function = new nodejs.NodejsFunction(this, 'Handler', {
      entry: API_LAMBDA_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      // pkcs11js is a native addon compiled for x86-64, so only the KMS variant runs on the cheaper arm64.
      architecture: usesHsm ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
      memorySize: settings.memoryMb,
      timeout: Duration.seconds(functionTimeoutSeconds(settings)),
      environment: settings.enableSourceMaps
        ? { ...props.environment, NODE_OPTIONS: '--enable-source-maps' }
        : { ...props.environment },
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: settings.reservedConcurrency,
      layers: props.layers === undefined ? undefined : [...props.layers],
      description: `Split KMS API (${settings.keyShareCipher}, ${settings.envName})`,
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: LOCK_FILE,
      bundling: bundlingOptions(usesHsm),
      ...(props.network === undefined ? {} : vpcPlacement(props.network)),
    });

    // CDK makes every function depend on its role and on the role's policy. cfn-lint flags the role
    // dependency as redundant (W3005), because the Role property already implies it.
    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    cfnFunction.addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
  }
}

/** Computes the function timeout with the arithmetic in `timeout-budget.ts`. */
export function functionTimeoutSeconds(settings: DeploymentSettings): number {
  return computeFunctionTimeoutSeconds({
    jwksTimeoutMs: settings.jwksTimeoutMs,
    kmsRequestTimeoutMs: settings.kmsRequestTimeoutMs,
    kmsMaxAttempts: settings.kmsMaxAttempts,
    usesKms: usesKms(settings),
    usesHsm: settings.hsm !== undefined,
  });
}

/**
 * esbuild options. The AWS SDK is bundled rather than taken from the
 * runtime, so the function runs the SDK versions that the lock file pins and
 * the tests exercised. pkcs11js stays external because esbuild cannot bundle a
 * `.node` file. The CloudHSM variant copies it in after bundling, and the KMS
 * variant never loads it.
 */
function bundlingOptions(usesHsm: boolean): nodejs.BundlingOptions {
  return {
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    target: 'node22',
    format: nodejs.OutputFormat.CJS,
    // The ES module builds of the AWS SDK and the Encryption SDK let esbuild drop unused exports,
    // which keeps the KMS bundle under 1 MB (about 860 KiB instead of 1.06 MiB with the CommonJS builds).
    mainFields: ['module', 'main'],
    tsconfig: API_LAMBDA_TSCONFIG,
    externalModules: ['pkcs11js'],
    forceDockerBundling: false,
    ...(usesHsm ? { commandHooks: pkcs11AddonCommandHooks() } : {}),
  };
}

function vpcPlacement(network: FunctionNetwork): Partial<nodejs.NodejsFunctionProps> {
  return {
    vpc: network.vpc,
    vpcSubnets: { subnets: [...network.subnets] },
    securityGroups: [network.securityGroup],
  };
}

/**
 * Lambda creates and deletes the function's network interfaces with the
 * function's role. EC2 offers no resource-level scoping for the Describe
 * call, so the statement uses `*` like the AWS managed policy
 * AWSLambdaVPCAccessExecutionRole.
 */
function networkInterfaceStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    resources: ['*'],
  });
}

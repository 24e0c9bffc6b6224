import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

import type { SplitKmsStack } from './split-kms-stack';

/** A cdk-nag finding that this design accepts, and the reason. */
interface Acknowledgment {
  readonly id: string;
  readonly reason: string;
}

const UNAUTHORIZED_ROUTES: Acknowledgment = {
  id: 'AwsSolutions::AwsSolutions-APIG4',
  reason:
    'The function verifies the RS256 bearer JWT itself, so a rejected token still gets the JSON envelope and CORS headers, and /healthz and preflights are public by contract.',
};

const RUNTIME_VERSION: Acknowledgment = {
  id: 'AwsSolutions::AwsSolutions-L1',
  reason:
    'Node.js 22 is the runtime that the bundle targets and that the tests load it with, so a newer runtime is a tested upgrade rather than a default.',
};

const WILDCARD_RESOURCES: Acknowledgment = {
  id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
  reason:
    'Only actions without resource-level permissions use *: X-Ray trace upload, and in the CloudHSM variant the network interface calls that Lambda makes for a VPC function.',
};

/** Acknowledges the cdk-nag AWS Solutions findings that this design accepts, each on the narrowest construct. */
export function addNagSuppressions(stack: SplitKmsStack): void {
  acknowledge(stack.httpApi.api, UNAUTHORIZED_ROUTES);
  acknowledge(stack.apiFunction.function, RUNTIME_VERSION);
  acknowledge(stack.apiFunction.role, WILDCARD_RESOURCES);
}

function acknowledge(scope: IConstruct, acknowledgment: Acknowledgment): void {
  Validations.of(scope).acknowledge(acknowledgment);
}

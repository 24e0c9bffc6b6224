import { Annotations, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

import type { HsmSettings } from '../settings/types';
import type { FunctionNetwork } from './api-function';

/** TCP ports on which a CloudHSM cluster's HSMs accept client connections. */
export const CLOUDHSM_PORTS = ec2.Port.tcpRange(2223, 2225);

/**
 * Places the function in the customer's VPC, next to an existing CloudHSM
 * cluster. Everything is imported by id, so synthesis makes no AWS lookup.
 *
 * The function's security group may reach only the cluster's security group
 * on the HSM ports, and HTTPS. HTTPS is needed for the JWKS URL and for the
 * Secrets Manager, KMS and X-Ray APIs, which the subnets reach through a NAT
 * gateway or VPC endpoints.
 */
export class HsmNetwork extends Construct {
  readonly network: FunctionNetwork;

  constructor(scope: Construct, id: string, hsm: HsmSettings) {
    super(scope, id);

    // The function gets explicit subnets, so neither the zones nor the route tables are ever read.
    // The VPC import only needs a non-empty zone list, and the warnings about both are acknowledged.
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: hsm.vpcId,
      availabilityZones: Fn.getAzs(),
    });
    Annotations.of(vpc).acknowledgeWarning(
      '@aws-cdk/aws-ec2:vpcAttributeIsListTokenavailabilityZones',
      'The function uses explicit subnets, so the zone list is never read.',
    );
    const subnets = hsm.subnetIds.map((subnetId, index) => {
      const subnet = ec2.Subnet.fromSubnetId(this, `Subnet${index}`, subnetId);
      Annotations.of(subnet).acknowledgeWarning(
        '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        'Lambda places network interfaces in the subnet and never reads its route table.',
      );

      return subnet;
    });
    const clusterSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
      this,
      'ClusterSecurityGroup',
      hsm.clusterSecurityGroupId,
      { allowAllOutbound: false },
    );

    const securityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc,
      description: 'Split KMS API function: CloudHSM ports and HTTPS only.',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(
      clusterSecurityGroup,
      CLOUDHSM_PORTS,
      'PKCS#11 traffic to the CloudHSM cluster',
    );
    securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'JWKS URL and AWS APIs over HTTPS',
    );
    clusterSecurityGroup.addIngressRule(
      securityGroup,
      CLOUDHSM_PORTS,
      'PKCS#11 traffic from the Split KMS API function',
    );

    this.network = { vpc, subnets, securityGroup };
  }
}

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

import type { AlarmTarget } from '../settings/types';

/** Properties of `ApiAlarms`. */
export interface ApiAlarmsProps {
  readonly handler: lambda.IFunction;
  readonly stage: apigwv2.IHttpStage;
  readonly target: AlarmTarget;
  readonly envName: string;
}

const PERIOD = Duration.minutes(5);

/**
 * Alarms on the three signs of a broken deployment: the function fails
 * outside its own error handling (crash or timeout), Lambda throttles it, or
 * the API returns 5xx (the key service is down, throttled or misconfigured).
 */
export class ApiAlarms extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];

  /** The topic that receives alarm notifications, when one was configured. */
  readonly topic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: ApiAlarmsProps) {
    super(scope, id);
    const prefix = `split-kms-${props.envName}`;

    this.alarms = [
      this.alarm(
        'FunctionErrors',
        `${prefix}-function-errors`,
        props.handler.metricErrors({ period: PERIOD }),
        1,
      ),
      this.alarm(
        'FunctionThrottles',
        `${prefix}-function-throttles`,
        props.handler.metricThrottles({ period: PERIOD }),
        1,
      ),
      this.alarm(
        'Api5xx',
        `${prefix}-api-5xx`,
        props.stage.metricServerError({ period: PERIOD }),
        5,
      ),
    ];

    this.topic = this.resolveTopic(props.target);
    if (this.topic !== undefined) {
      const action = new actions.SnsAction(this.topic);
      this.alarms.forEach((alarm) => {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      });
    }
  }

  private alarm(
    id: string,
    alarmName: string,
    metric: cloudwatch.IMetric,
    threshold: number,
  ): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmName,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private resolveTopic(target: AlarmTarget): sns.ITopic | undefined {
    switch (target.kind) {
      case 'none':
        return undefined;
      case 'topic':
        return sns.Topic.fromTopicArn(this, 'Topic', target.topicArn);
      case 'email': {
        const topic = new sns.Topic(this, 'Topic', {
          enforceSSL: true,
          displayName: 'Split KMS alarms',
        });
        topic.addSubscription(new subscriptions.EmailSubscription(target.email));

        return topic;
      }
    }
  }
}

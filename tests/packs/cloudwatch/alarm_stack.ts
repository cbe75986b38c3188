// expect: alert_rules_defined
import * as cdk from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

const errors = new cloudwatch.Metric({ namespace: 'AWS/SageMaker', metricName: 'Invocation5XXErrors' });
errors.createAlarm(stack, 'Errors', { threshold: 5, evaluationPeriods: 1 });
new cdk.aws_cloudwatch.CompositeAlarm(stack, 'Any', { alarmRule: rule });

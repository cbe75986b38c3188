// expect: alert_rules_defined
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

const errors = new cloudwatch.Metric({ namespace: 'AWS/SageMaker', metricName: 'Invocation5XXErrors' });
new cloudwatch.Alarm(this, 'Errors', { metric: errors, threshold: 5, evaluationPeriods: 1 });

// ok: alert_rules_defined
// A domain class that happens to be called Alarm, an alarm in a comment, and a metric only
// graphed on a dashboard.
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Alarm } from './clock';

const wake = new Alarm('07:00');
// new cloudwatch.Alarm(this, 'Errors', { metric: errors, threshold: 5, evaluationPeriods: 1 });
const latency = new cloudwatch.Metric({ namespace: 'AWS/SageMaker', metricName: 'ModelLatency' });
new cloudwatch.GraphWidget({ left: [latency] });

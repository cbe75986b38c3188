// ok: alert_rules_defined
// A domain class that happens to be called Alarm, and a metric only graphed on a dashboard.
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Alarm } from './clock';

const wake = new Alarm('07:00');
const latency = new cloudwatch.Metric({ namespace: 'AWS/SageMaker', metricName: 'ModelLatency' });
new cloudwatch.GraphWidget({ left: [latency] });

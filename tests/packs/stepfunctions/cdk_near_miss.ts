// ok: training_in_pipeline
// ok: model_serving_present
// A state machine of Lambda tasks, whose comments name the SageMaker tasks it does not use.
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';

// SageMakerCreateTrainingJob would start a training job; this only invokes a Lambda.
const check = new tasks.LambdaInvoke(this, 'Check', { lambdaFunction: fn });
const note = 'SageMakerCreateEndpoint';

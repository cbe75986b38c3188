// ok: training_in_pipeline
// ok: model_serving_present
// ok: model_packaged
// A state machine of Lambda tasks, whose comments name the SageMaker tasks it does not use.
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';

// const train = new tasks.SageMakerCreateTrainingJob(this, 'Train', {} as any);
/* new tasks.SageMakerCreateModel(this, 'Model', {} as any); */
const check = new tasks.LambdaInvoke(this, 'Check', { lambdaFunction: fn });
const note = 'SageMakerCreateEndpoint';

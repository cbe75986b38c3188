// expect: training_in_pipeline
// expect: model_packaged
// expect: model_serving_present
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';

const train = new tasks.SageMakerCreateTrainingJob(this, 'Train', { trainingJobName: 'train' } as any);
const model = new tasks.SageMakerCreateModel(this, 'Model', { modelName: 'churn' } as any);
const serve = new tasks.SageMakerUpdateEndpoint(this, 'Serve', { endpointName: 'churn' } as any);
new sfn.StateMachine(this, 'Retrain', { definition: train.next(model).next(serve) });

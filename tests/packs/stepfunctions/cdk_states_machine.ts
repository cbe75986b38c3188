// expect: pipeline_defined
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';

const prepare = new tasks.LambdaInvoke(this, 'Prepare', { lambdaFunction: prepareFn });
new sfn.StateMachine(this, 'Retrain', { definitionBody: sfn.DefinitionBody.fromChainable(prepare) });

// expect: pipeline_defined
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';

new sagemaker.CfnPipeline(this, 'Train', { pipelineName: 'train', pipelineDefinition: {}, roleArn: role });

# expect: dev_environment_defined
# a processing job on SageMaker's scikit-learn image at a pinned framework version
from sagemaker.sklearn.processing import SKLearnProcessor

processor = SKLearnProcessor(framework_version="1.2-1", role="arn:aws:iam::1:role/r",
                             instance_type="ml.m5.xlarge", instance_count=1)

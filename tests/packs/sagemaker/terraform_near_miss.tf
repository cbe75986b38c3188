# ok: model_serving_present
# ok: model_registry_used
# A notebook instance, an endpoint configuration alone, and a data source that reads an
# existing endpoint: nothing served or registered is declared here.
resource "aws_sagemaker_notebook_instance" "dev" {
  name          = "dev"
  instance_type = "ml.t3.medium"
}

resource "aws_sagemaker_endpoint_configuration" "churn" {
  name = "churn"
}

data "aws_sagemaker_endpoint" "existing" {
  name = "churn"
}
# resource "aws_sagemaker_model_package_group" "old" {}

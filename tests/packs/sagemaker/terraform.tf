# expect: model_serving_present
# expect: model_registry_used
# expect: feature_store_used
# expect: drift_detection_used
# expect: pipeline_defined
resource "aws_sagemaker_model_package_group" "churn" {
  model_package_group_name = "churn"
}

resource "aws_sagemaker_endpoint" "churn" {
  name                 = "churn"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.churn.name
}

resource "aws_sagemaker_feature_group" "customers" {
  feature_group_name             = "customers"
  record_identifier_feature_name = "customer_id"
  event_time_feature_name        = "ts"
  role_arn                       = var.role_arn
}

resource "aws_sagemaker_monitoring_schedule" "quality" {
  name = "churn-quality"
}

resource "aws_sagemaker_pipeline" "train" {
  pipeline_name         = "train"
  pipeline_display_name = "train"
  role_arn              = var.role_arn
  pipeline_definition   = file("pipeline.json")
}

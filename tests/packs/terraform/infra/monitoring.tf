# expect: dashboards_defined
# the endpoint's invocations and errors on a dashboard kept as code
resource "aws_cloudwatch_dashboard" "endpoint" {
  dashboard_name = "churn-endpoint"
  dashboard_body = jsonencode({
    widgets = [{
      type       = "metric"
      properties = { metrics = [["AWS/SageMaker", "Invocations", "EndpointName", "churn"]] }
    }]
  })
}

# expect: warehouse_data_used
resource "aws_glue_catalog_database" "events" {
  name = "events"
}

resource "aws_glue_crawler" "events" {
  database_name = aws_glue_catalog_database.events.name
  name          = "events-crawler"
  role          = aws_iam_role.glue.arn

  s3_target {
    path = "s3://${var.bucket}/events/"
  }
}

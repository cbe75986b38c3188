# expect: ci_configured
resource "aws_codepipeline" "train" {
  name     = "train"
  role_arn = aws_iam_role.pipeline.arn
}

terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.70" }
  }
}

resource "aws_s3_bucket" "ml_data" {
  bucket = "acme-ml-data"
}

resource "aws_instance" "churn_serving" {
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = "t3.medium"
  tags = { service = "churn-scoring" }
}

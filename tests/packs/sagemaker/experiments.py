# expect: experiment_tracking_used
import boto3
sm = boto3.client("sagemaker")
sm.create_experiment(ExperimentName="churn")

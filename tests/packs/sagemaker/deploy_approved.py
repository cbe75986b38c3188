# expect: model_registry_used
# ok: deployment_approval_gates (only approved versions are read; nothing waits for one)
# a deployment that picks the newest approved package of a group
import boto3

sm = boto3.client("sagemaker")


def latest_approved(group: str) -> str:
    packages = sm.list_model_packages(ModelPackageGroupName=group,
                                      ModelApprovalStatus="Approved",
                                      SortBy="CreationTime", SortOrder="Descending")
    return packages["ModelPackageSummaryList"][0]["ModelPackageArn"]

"""What a pipeline step or CI command does, judged from its name and command text."""

from __future__ import annotations

import re

_I = re.IGNORECASE
TRAIN = re.compile(
    r"(\btrain\w*|\bfit_model|\bretrain\w*|finetun\w*|fine_tun\w*|dvc (repro|exp run)|"
    r"\bkedro run\b|\bmlflow run\b|sagemaker.*Estimator|TrainingStep|\bTraining\b)",
    _I,
)
EVALUATE = re.compile(
    r"(\beval\w*|\bscore_model|\bmetrics\b|dvc metrics|\bbenchmark_model|"
    r"\bvalidate_model|model_validation)",
    _I,
)
VALIDATE_DATA = re.compile(
    r"(great_expectations|\bgx\b|checkpoint run|pandera|validate[_-]?data|data[_-]?validat\w*|"
    r"check[_-]?data|data[_-]?checks?|data[_-]?quality|expectations|tfdv|deepchecks|"
    r"\bsoda scan\b|schema[_-]?check|validate[_-]?schema|ExampleValidator)",
    _I,
)
INGEST = re.compile(
    r"(ingest\w*|\bextract\w*|\bdownload\w*|\bfetch\w*|load[_-]?data|"
    r"\bacquire\w*|\bimport[_-]data|\bcollect[_-]?data|\bscrape\w*|"
    r"\bget[_-]?data|\bpull[_-]?data|dvc (pull|import)|ExampleGen\b)",
    _I,
)
TESTS = re.compile(
    r"(\bpytest\b|\btox\b|\bnox\b|\bunittest\b|\bhatch (run )?test|"
    r"\bmake (unit-?)?tests?\b|\bpython -m pytest|\bcoverage run|\bward\b)",
    _I,
)
DEPLOY = re.compile(
    r"(docker (image )?push|build-push-action|kubectl (apply|set image|rollout)|"
    r"helm (upgrade|install)|gcloud (run deploy|ai endpoints deploy|app deploy)|"
    r"az ml online-(deployment|endpoint)|az webapp deploy|sagemaker.*deploy|\.deploy\(|"
    r"serverless deploy|bentoml (deploy|containerize)|mlflow (deployments|models build-docker)|"
    r"\bdeploy\w*\.py|\bmake deploy|cloudrun|ecs-deploy|k8s-deploy|aws ecs update-service|"
    r"cdk deploy|azure/webapps-deploy|seldon|kserve)",
    _I,
)
INFRA = re.compile(
    r"(terraform (apply|plan)|pulumi up|cdk deploy|cloudformation deploy|"
    r"az deployment|bicep|helm (upgrade|install)|kubectl apply|"
    r"setup-terraform|terraform-github-actions|tofu apply)",
    _I,
)
LINT = re.compile(
    r"(\bruff\b|\bflake8\b|\bpylint\b|black --check|\bpre-commit\b|\bmypy\b|"
    r"isort --check|pre-commit/action)",
    _I,
)
CML = re.compile(r"(\bcml (comment|send-comment|publish|pr)|iterative/setup-cml|cml-send)", _I)
MONITOR = re.compile(r"(drift|monitor\w*|evidently|whylogs|nannyml)", _I)
POLICY = re.compile(
    r"(conftest|checkov|tfsec|\bopa\b|kube-linter|kubeconform|trivy|"
    r"terrascan|kics)",
    _I,
)
MATURITY = re.compile(r"\bmlkaizen\b", _I)
# a pipeline step that releases a model: TFX Pusher, a deploy step or component
PIPELINE_DEPLOY = re.compile(r"(deploy|\bPusher\b|ModelDeployOp)", _I)

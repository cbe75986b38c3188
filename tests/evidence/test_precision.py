"""Precision: each heuristic that used to misfire, with its near miss (nothing found) and the
positive case that must still hold. Every case asserts the exact set of findings."""

from __future__ import annotations

import pytest

from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.findings import (
    Context,
    context_of,
    in_tutorial_folder,
    packaged_tutorial_folders,
)
from mlkaizen.evidence.tree import RepoTree
from tests.conftest import MakeRepo

Files = dict[str, str | bytes]
Expected = set[tuple[str | None, int | None, str]]
NOTEBOOK_READS_BUCKET = ('{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                         '"source": ["ROOT = \\"s3://team-data\\"\\n"]}], "metadata": {}, '
                         '"nbformat": 4, "nbformat_minor": 5}')


def _found(make_repo: MakeRepo, detector: str, files: Files) -> Expected:
    findings = REGISTRY[detector].detect(RepoTree(make_repo(files)))
    assert all(f.detector == detector for f in findings)
    return {(f.file, f.line, f.outcome.value) for f in findings}


def _gha(trigger: str, steps: str) -> str:
    return f"on:\n{trigger}jobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"


PUSH = "  push:\n    branches: [main]\n"
SCHEDULE = "  schedule:\n    - cron: '0 3 * * 1'\n"
DRIFT_KFP = (
    "import kfp\n"
    "from evidently import Report\n"
    "report = Report([])\n"
    "if report.as_dict()['drift']:\n"
    "    kfp.Client().create_run_from_pipeline_func(train_pipeline, arguments={})\n"
)
SERVED_APP = (
    "import joblib\nfrom fastapi import FastAPI\n"
    "app = FastAPI()\nmodel = joblib.load('model.joblib')\n"
)

# (detector, files, exact findings as {(file, line, outcome)})
CASES: list[tuple[str, Files, Expected]] = [
    # names alone decide: a test module named for data tests a data loader, not data
    ("data_tests_present",
     {"tests/test_dataloader.py": "import torch\nfrom pkg.data import loader\n"
                                  "def test_batches():\n    assert next(iter(loader())).shape\n"},
     set()),
    ("data_tests_present",
     {"tests/test_dataloader.py": "import pandas as pd\n\ndef test_rows():\n"
                                  "    df = pd.read_csv('d.csv')\n"
                                  "    assert not df.duplicated().any()\n"},
     {("tests/test_dataloader.py", 3, "found")}),
    ("data_tests_present",
     {"tests/test_schema.py": "import pandera as pa\ndef test_s():\n    pa.DataFrameSchema({})\n"},
     {("tests/test_schema.py", 2, "found")}),
    ("model_tests_present", {"tests/test_model_utils.py": "def test_m():\n    assert 1\n"},
     set()),
    ("model_tests_present",
     {"tests/test_model.py": "from sklearn.dummy import DummyClassifier\n"
                             "def test_m():\n    assert DummyClassifier()\n"},
     {("tests/test_model.py", 2, "found")}),
    # a test of the project's training job tests the model it trains (the job imports the ML
    # library, the test need not); a near miss: the job it tests does no ML
    ("model_tests_present",
     {"tests/test_training.py": "from bikes.jobs import TrainingJob\n"
                                "def test_run():\n    assert TrainingJob().run()\n",
      "src/bikes/jobs.py": "import sklearn.ensemble\nclass TrainingJob: ...\n"},
     {("tests/test_training.py", 2, "found")}),
    ("model_tests_present",
     {"tests/test_training.py": "from bikes.jobs import TrainingJob\n"
                                "def test_run():\n    assert TrainingJob().run()\n",
      "src/bikes/jobs.py": "import pandas\nclass TrainingJob: ...\n"},
     set()),
    # near miss: a test of the service's routes through its test client (the app imports
    # the model's library; the test exercises the routes)
    ("model_tests_present",
     {"tests/test_api.py": "from fastapi.testclient import TestClient\nfrom app.main import app\n"
                           "def test_health():\n    assert TestClient(app).get('/health').ok\n",
      "app/main.py": "import sklearn\nfrom fastapi import FastAPI\napp = FastAPI()\n"},
     set()),
    # hyperparameters in a JSON configuration; near misses: a pretrained model's own
    # config.json shipped with its weights, a run's trainer_state.json, physical constants
    ("params_file_present",
     {"configs/train_config.json": '{\n  "learning_rate": 0.001,\n  "batch_size": 32\n}\n'},
     {("configs/train_config.json", 2, "found")}),
    ("params_file_present",
     {"models/bert/config.json": '{\n  "model_type": "bert",\n  "dropout": 0.1,\n'
                                 '  "num_heads": 12\n}\n',
      "out/checkpoint-500/trainer_state.json": '{\n  "max_steps": 500,\n  "num_train_epochs": 3\n}\n',
      "physics/constants.py": "GAMMA = 1.4\nETA = 0.92\n"},
     set()),
    # names alone decide: a project's own datasets/ package is not the datasets library
    ("repo_is_ml_tool_source",
     {"datasets/__init__.py": "", "datasets/load.py": "import pandas\n",
      "pyproject.toml": "[project]\nname = 'churn'\n"},
     set()),
    ("repo_is_ml_tool_source",
     {"src/datasets/__init__.py": "__version__ = '2.19.0'\n"}, {(None, None, "info")}),
    # names alone decide: a path filter on src/metadata/** is not data
    ("training_triggered_by_event",
     {".github/workflows/t.yml": _gha("  push:\n    paths: ['src/metadata/**']\n",
                                      "      - run: python train.py\n")},
     set()),
    ("training_triggered_by_event",
     {".github/workflows/t.yml": _gha("  push:\n    paths: ['data/**']\n",
                                      "      - run: python train.py\n")},
     {(".github/workflows/t.yml", 8, "found")}),
    ("training_triggered_by_event",
     {".github/workflows/t.yml": _gha("  push:\n    paths: ['**/*.csv']\n",
                                      "      - run: python train.py\n")},
     {(".github/workflows/t.yml", 8, "found")}),
    # substrings decide: "gate" in aggregate.py, "map" in mapping
    ("validation_gate_present",
     {"src/aggregate.py": "import numpy as np\ndef check(accuracy):\n"
                          "    if accuracy < 0.8:\n        raise ValueError('low')\n"},
     set()),
    ("validation_gate_present",
     {"src/evaluate.py": "import numpy as np\nmapping = {}\n"
                         "if mapping['x'] > 3:\n    raise SystemExit(1)\n"},
     set()),
    ("validation_gate_present",
     {"src/evaluate.py": "import numpy as np\ndef gate(auc):\n"
                         "    if auc < 0.8:\n        return 0\n    return 1\n"},
     set()),
    ("validation_gate_present",
     {"src/evaluate.py": "import numpy as np\ndef gate(val_accuracy):\n"
                         "    if val_accuracy < 0.8:\n        return 1\n    return 0\n"},
     {("src/evaluate.py", 3, "found")}),
    # substrings decide: step keywords
    ("policy_checks_in_ci",
     {".github/workflows/ci.yml": _gha(PUSH, "      - run: pytest -p conftest\n")}, set()),
    ("policy_checks_in_ci",
     {".github/workflows/ci.yml": _gha(PUSH, "      - run: conftest test k8s/\n")},
     {(".github/workflows/ci.yml", 8, "found")}),
    ("ingestion_in_pipeline",
     {"dvc.yaml": "stages:\n  featurize:\n    cmd: python featurize.py --extract-features\n"},
     set()),
    ("ingestion_in_pipeline",
     {"dvc.yaml": "stages:\n  extract:\n    cmd: python extract.py\n"},
     {("dvc.yaml", 3, "found")}),
    ("training_runs_in_ci",
     {".github/workflows/ci.yml": _gha(PUSH, "      - name: Build Training docs\n"
                                             "        run: mkdocs build\n")},
     set()),
    ("training_runs_in_ci",
     {".github/workflows/ci.yml": _gha(PUSH, "      - name: Build\n"
                                             "        run: python train.py\n")},
     {(".github/workflows/ci.yml", 8, "found")}),
    # substrings decide: "trigger"/"dispatch" in a file importing a drift library
    ("training_triggered_by_event",
     {"monitor.py": "from functools import singledispatch\nfrom evidently import Report\n"
                    "@singledispatch\ndef show(x):\n    return x\n"
                    "report = Report([])\ntrigger_alert_dispatch(report)\n"},
     set()),
    ("training_triggered_by_event", {"monitor.py": DRIFT_KFP}, {("monitor.py", 5, "found")}),
    ("alert_triggers_retraining",
     {"monitor.py": "import kfp\nfrom evidently import Report\n"
                    "kfp.Client().create_run_from_pipeline_func(train_pipeline)\n"},
     set()),
    ("alert_triggers_retraining", {"monitor.py": DRIFT_KFP}, {("monitor.py", 5, "found")}),
    # Azure ML SDK v1: a drift check that reads the production model's run starts nothing;
    # one that submits its training experiment starts retraining
    ("alert_triggers_retraining",
     {"drift.py": "from azureml.core import Experiment, Run\nfrom evidently import Report\n"
                  "Report([])\nexp = Experiment(ws, 'train')\nrun = Run(exp, run_id='1')\n"},
     set()),
    ("alert_triggers_retraining",
     {"drift.py": "from azureml.core import Experiment\nfrom evidently import Report\n"
                  "Report([])\nexp = Experiment(ws, 'train')\nexp.submit(config)\n"},
     {("drift.py", 5, "found")}),
    # near miss: an executor's submit beside Azure ML code that reads runs
    ("alert_triggers_retraining",
     {"drift.py": "from concurrent.futures import ThreadPoolExecutor\n"
                  "from azureml.core import Run\n"
                  "from evidently import Report\nReport([])\nrun = Run.get_context()\n"
                  "ThreadPoolExecutor().submit(print, run)\n"},
     set()),
    ("alert_triggers_retraining",
     {"monitor.py": "import requests\nfrom evidently import Report\nReport([])\n"
                    "requests.post('https://api.github.com/repos/o/r/dispatches', json={})\n"},
     {("monitor.py", 4, "found")}),
    # docstrings promise more: the CI rule now checks what starts the pipeline
    ("alert_triggers_retraining",
     {".github/workflows/d.yml": _gha(PUSH, "      - run: python check_drift.py\n"
                                            "      - run: python train.py\n")},
     set()),
    ("alert_triggers_retraining",
     {".github/workflows/d.yml": _gha(SCHEDULE, "      - run: python train.py\n"
                                                "      - run: python check_drift.py\n")},
     set()),
    ("alert_triggers_retraining",
     {".github/workflows/d.yml": _gha(SCHEDULE, "      - run: python check_drift.py\n"
                                                "      - run: python train.py\n")},
     {(".github/workflows/d.yml", 6, "found")}),
    # substrings decide: any .write in a file importing whylogs
    ("data_quality_tracked",
     {"q.py": "import whylogs as why\nprofile = why.log(df)\n"
              "with open('x', 'w') as f:\n    f.write('a')\n"},
     set()),
    ("data_quality_tracked",
     {"q.py": "import whylogs as why\nwhy.log(df).writer('local').write()\n"},
     {("q.py", 2, "found")}),
    # substrings decide: a google import and any .deploy
    ("model_serving_present",
     {"ship.py": "from google.cloud import storage\nclient = storage.Client()\nclient.deploy()\n"},
     set()),
    ("model_serving_present",
     {"ship.py": "from google.cloud import aiplatform\n"
                 "endpoint = aiplatform.Endpoint.create(display_name='churn')\n"},
     {("ship.py", 2, "found")}),
    # the model a served app restores from a Lightning checkpoint; a near miss reads a
    # checkpoint's name only
    ("model_serving_present",
     {"api.py": "import torch\nfrom fastapi import FastAPI\nfrom pkg.model import Net\n"
                "app = FastAPI()\nmodel = Net.load_from_checkpoint('best.ckpt')\n"},
     {("api.py", 4, "found")}),
    ("model_serving_present",
     {"api.py": "import torch\nfrom fastapi import FastAPI\n"
                "app = FastAPI()\nCHECKPOINT = 'best.ckpt'\n"},
     set()),
    # a load behind a package's re-export costs no step: app -> service -> pkg (re-exports
    # pkg.runtime) -> the load
    ("model_serving_present",
     {"app/main.py": "from fastapi import FastAPI\nfrom svc.loader import get\napp = FastAPI()\n",
      "svc/__init__.py": "", "svc/loader.py": "from models import restore\n",
      "models/__init__.py": "from models.runtime import restore\n",
      "models/runtime.py": "import torch\ndef restore(p):\n    return torch.load(p)\n"},
     {("app/main.py", 3, "found")}),
    ("model_serving_present",
     {"app/main.py": "from fastapi import FastAPI\nfrom svc.loader import get\napp = FastAPI()\n",
      "svc/__init__.py": "", "svc/loader.py": "from models import restore\n",
      "models/__init__.py": "from models.runtime import restore\n",
      "models/runtime.py": "import torch\ndef restore(p):\n    return p\n",
      "tools/convert.py": "import torch\nstate = torch.load('x.pt')\n"},
     set()),
    # a Streamlit page or a Gradio interface people use a loaded model through; a page that
    # loads none is a dashboard
    ("model_serving_present",
     {"ui.py": "import joblib\nimport streamlit as st\nmodel = joblib.load('m.pkl')\n"
               "st.title('Churn')\n"},
     {("ui.py", 4, "found")}),
    ("model_serving_present",
     {"ui.py": "import pandas as pd\nimport streamlit as st\nst.title('Sales')\n"
               "st.dataframe(pd.read_csv('sales.csv'))\n"},
     set()),
    ("model_serving_present",
     {"demo.py": "import gradio as gr\nfrom transformers import pipeline\n"
                 "clf = pipeline('sentiment-analysis')\ngr.Interface(fn=clf, inputs='text', outputs='label')\n"},
     {("demo.py", 4, "found")}),
    # a model server started from Python; a near miss only prints the command
    ("model_serving_present",
     {"serve.py": "import os\nos.system(f'ludwig serve -m {os.environ[\"MODEL\"]}')\n"},
     {("serve.py", 2, "found")}),
    ("model_serving_present",
     {"serve.py": "print('run: ludwig serve -m model')\n"},
     set()),
    # near misses: the command in a comment or a docstring, or a command that names a server
    # without starting one
    ("model_serving_present",
     {"ops.py": '"""Usage: subprocess.run(\'bentoml serve .\')"""\nimport os, subprocess\n'
                "# os.system('mlflow models serve -m runs:/x/model')\n"
                "os.system('pkill -f tritonserver')\n"
                "subprocess.check_call('pip install tritonserver-client'.split())\n"},
     set()),
    # near miss: a Streamlit dashboard of sales beside the training script that loads a
    # checkpoint (a page loads what it shows itself)
    ("model_serving_present",
     {"app/dashboard.py": "import pandas as pd\nimport streamlit as st\n"
                          "st.dataframe(pd.read_csv('sales.csv'))\n",
      "app/train.py": "import torch\nstate = torch.load('ckpt.pt')\n"},
     set()),
    # a bucket named in a settings module is where the data lives; a bare scheme is not
    ("data_remote_storage_configured",
     {"settings.py": "DATA_ROOTS = {'dev': 's3://team-data-dev', 'prod': 's3://team-data'}\n"},
     {("settings.py", 1, "found")}),
    ("data_remote_storage_configured",
     {"settings.py": "SCHEMES = ['s3://', 'gs://']\nHELP = 'a URI like s3://...'\n"
                     "raise ValueError(\"expected 's3://...'\")\nNAMENODE = 'hdfs://localhost'\n"},
     set()),
    ("data_remote_storage_configured",
     {"settings.py": "import os\nBUCKET = os.environ['BUCKET']\nDATA_ROOT = f\"s3://{BUCKET}\"\n"},
     {("settings.py", 3, "found")}),
    # a URI given to a model's name, or an MLflow run's artefact path, is where a model is
    # kept: not data (the deploy script of a model logged to a tracking server)
    ("data_remote_storage_configured",
     {"deploy.py": "import mlflow\nmodel_uri = 's3://mlruns/1/" + "a" * 32 + "/artifacts/net'\n"
                   "MODEL_PATH = f's3://{BUCKET}/models/net'\n"
                   "client.create_deployment(name='ep', model_uri=model_uri)\n"},
     set()),
    ("data_remote_storage_configured",
     {"deploy.py": "uri = 's3://mlruns/1/" + "0" * 32 + "/artifacts/net'\n"}, set()),
    # near miss: the same file reads its training data from the bucket further down
    ("data_remote_storage_configured",
     {"deploy.py": "model_uri = 's3://team/models/net'\n"
                   "import pandas as pd\ndf = pd.read_csv('s3://team/data/train.csv')\n"},
     {("deploy.py", 3, "found")}),
    # near misses: names that only contain or begin with "model" are data's; a model's name
    # beside a data URI on one line, or in a comment after it, hides nothing
    ("data_remote_storage_configured",
     {"etl.py": "data_for_model = 's3://team/data/train.csv'\n"},
     {("etl.py", 1, "found")}),
    ("data_remote_storage_configured",
     {"etl.py": "model_inputs = 's3://team/data/features.parquet'\n"}, {("etl.py", 1, "found")}),
    ("data_remote_storage_configured",
     {"etl.py": "MODELING_DATA = 's3://team/data/train.csv'\n"}, {("etl.py", 1, "found")}),
    ("data_remote_storage_configured",
     {"run.py": "train(model_path='s3://team/models/m', data_path='s3://team/data/train.csv')\n"},
     {("run.py", 1, "found")}),
    ("data_remote_storage_configured",
     {"run.py": "import pandas as pd\ndf = pd.read_csv('s3://team/data/train.csv')  "
                "# model_uri = 's3://x/m'\n"},
     {("run.py", 2, "found")}),
    # a notebook's escaped double quotes name a model as well; a minified notebook's data
    # cell is still read after a model's cell on the same line
    ("data_remote_storage_configured",
     {"deploy.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                      '"source": ["model_uri = \\"s3://team/models/net\\"\\n"]}], '
                      '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}'},
     set()),
    ("data_remote_storage_configured",
     {"train.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                     '"source": ["model_uri = \\"s3://team/models/net\\"\\n"]}, '
                     '{"cell_type": "code", "metadata": {}, "outputs": [], '
                     '"source": ["df = pd.read_csv(\\"s3://team/data/train.csv\\")\\n"]}], '
                     '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}'},
     {("train.ipynb", 1, "partial")}),
    # a bucket read in a notebook only is done by hand, in a session: partial
    ("data_remote_storage_configured",
     {"nb.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                  '"source": ["ROOT = \\"s3://team-data\\"\\n"]}], "metadata": {}, '
                  '"nbformat": 4, "nbformat_minor": 5}'},
     {("nb.ipynb", 1, "partial")}),
    # near miss: the project's code reads the bucket too, so both hold
    ("data_remote_storage_configured",
     {"nb.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                  '"source": ["ROOT = \\"s3://team-data\\"\\n"]}], "metadata": {}, '
                  '"nbformat": 4, "nbformat_minor": 5}',
      "src/load.py": "import pandas as pd\ndf = pd.read_parquet('s3://team-data/x.parquet')\n"},
     {("nb.ipynb", 1, "found"), ("src/load.py", 2, "found")}),
    # near miss: a test that reads a (mocked) bucket is not the project's code: still partial
    ("data_remote_storage_configured",
     {"notebooks/explore.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                                 '"source": ["ROOT = \\"s3://team-data\\"\\n"]}], "metadata": {}, '
                                 '"nbformat": 4, "nbformat_minor": 5}',
      "tests/test_load.py": "import pandas as pd\ndef test_load():\n"
                            "    assert pd.read_parquet('s3://test-bucket/x.parquet') is not None\n"},
     {("notebooks/explore.ipynb", 1, "partial"), ("tests/test_load.py", 3, "found")}),
    # a notebook that a scheduled job runs is the project's code
    ("data_remote_storage_configured",
     {"notebooks/ingest.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                                '"source": ["ROOT = \\"s3://team-data\\"\\n"]}], "metadata": {}, '
                                '"nbformat": 4, "nbformat_minor": 5}',
      "databricks.yml": "resources:\n  jobs:\n    ingest:\n      tasks:\n        - task_key: i\n"
                        "          notebook_task:\n            notebook_path: ./notebooks/ingest\n"},
     {("notebooks/ingest.ipynb", 1, "found")}),
    # a bundle in a sub-folder that runs its notebook by a path relative to itself; a
    # papermill script beside the notebook
    ("data_remote_storage_configured",
     {"etl/notebooks/ingest.ipynb": NOTEBOOK_READS_BUCKET,
      "etl/databricks.yml": "resources:\n  jobs:\n    j:\n      tasks:\n        - notebook_task:\n"
                            "            notebook_path: ./notebooks/ingest.ipynb\n"},
     {("etl/notebooks/ingest.ipynb", 1, "found")}),
    ("data_remote_storage_configured",
     {"notebooks/ingest.ipynb": NOTEBOOK_READS_BUCKET,
      "notebooks/run_all.py": "import papermill as pm\npm.execute_notebook('ingest.ipynb', 'out.ipynb')\n"},
     {("notebooks/ingest.ipynb", 1, "found")}),
    # near misses: a docs site's navigation names it (nothing runs it); a job runs another
    # notebook whose name starts with this one's
    ("data_remote_storage_configured",
     {"notebooks/explore.ipynb": NOTEBOOK_READS_BUCKET,
      "mkdocs.yml": "nav:\n  - EDA: notebooks/explore.ipynb\n"},
     {("notebooks/explore.ipynb", 1, "partial")}),
    ("data_remote_storage_configured",
     {"notebooks/eda.ipynb": NOTEBOOK_READS_BUCKET,
      "jobs/report.yml": "tasks:\n  - notebook_task:\n      notebook_path: ../notebooks/eda_report\n"},
     {("notebooks/eda.ipynb", 1, "partial")}),
    # a warehouse queried in a notebook only, likewise; from the project's code, it holds
    ("warehouse_data_used",
     {"explore.ipynb": '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                       '"source": ["from google.cloud import bigquery\\n", '
                       '"df = bigquery.Client().query(SQL).to_dataframe()\\n"]}], '
                       '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}'},
     {("explore.ipynb", 3, "partial")}),
    ("warehouse_data_used",
     {"src/extract.py": "from google.cloud import bigquery\n"
                        "df = bigquery.Client().query(SQL).to_dataframe()\n"},
     {("src/extract.py", 2, "found")}),
    # too loose: pictures in git-lfs, a folder named metadata
    ("git_lfs_tracks_data",
     {".gitattributes": "*.png filter=lfs diff=lfs merge=lfs -text\n"
                        "metadata/** filter=lfs diff=lfs merge=lfs -text\n"},
     set()),
    ("git_lfs_tracks_data",
     {".gitattributes": "*.png filter=lfs\ndata/**/*.png filter=lfs\n*.parquet filter=lfs\n"},
     {(".gitattributes", 2, "found"), (".gitattributes", 3, "found")}),
    # too loose: gunicorn alone, COPY models.py
    ("model_packaged",
     {"Dockerfile": "FROM python:3.11\nCOPY models.py /app/\nCMD gunicorn app:app\n",
      "app.py": "from flask import Flask\napp = Flask(__name__)\n"},
     set()),
    ("model_packaged",
     {"Dockerfile": "FROM python:3.11\nCOPY requirements.txt .\nCOPY model.pkl /app/\n"},
     {("Dockerfile", 3, "found")}),
    ("model_packaged",
     {"Dockerfile": "FROM python:3.11\nCOPY models/ /app/models/\n",
      "models/clf.joblib": "x"},
     {("Dockerfile", 2, "found")}),
    ("model_packaged",
     {"Dockerfile": "FROM python:3.11\nCOPY . .\nCMD [\"uvicorn\", \"app.main:app\"]\n",
      "app/main.py": SERVED_APP},
     {("Dockerfile", 3, "found")}),
    # too loose: ranges are not pins
    ("dependencies_pinned",
     {"environment.yml": "dependencies:\n  - python=3.11\n  - numpy>=1.20\n  - pandas\n"},
     set()),
    ("dependencies_pinned",
     {"environment.yml": "dependencies:\n  - python=3.11\n  - numpy=1.26.4\n  - pandas==2.2.2\n"},
     {("environment.yml", 1, "found")}),
    # too loose: random_state=None fixes nothing
    ("random_seeds_set",
     {"split.py": "from sklearn.model_selection import train_test_split\n"
                  "train_test_split(X, random_state=None)\n"},
     set()),
    ("random_seeds_set",
     {"split.py": "from sklearn.model_selection import train_test_split\n"
                  "train_test_split(X, random_state=42)\n"},
     {("split.py", 2, "found")}),
    # too loose: every function of an Airflow DAG file was a step
    ("training_in_pipeline",
     {"dag.py": "from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n"
                "def train_helper():\n    pass\ndef report():\n    pass\n"
                "with DAG('d') as dag:\n"
                "    PythonOperator(task_id='report', python_callable=report)\n"},
     set()),
    ("training_in_pipeline",
     {"dag.py": "from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n"
                "def fit_model():\n    pass\n"
                "with DAG('d') as dag:\n"
                "    PythonOperator(task_id='step_one', python_callable=fit_model)\n"},
     {("dag.py", 6, "found")}),
    # too loose: a "# deploy" comment in a fenced shell block is not a section
    ("release_process_documented",
     {"README.md": "# Churn\n\n```sh\n# deploy\nmake deploy\n```\n"}, set()),
    ("release_process_documented",
     {"README.md": "# Churn\n\n```sh\nmake\n```\n\n## Deployment\n\nRun `make deploy`.\n"},
     {("README.md", 7, "found")}),
    ("release_process_documented",
     {"docs/index.rst": "Churn\n=====\n\nReleasing\n---------\n\nTag it.\n"},
     {("docs/index.rst", 4, "found")}),
    # docstrings promise more: a bare list of names is not roles
    ("roles_documented",
     {"MAINTAINERS": "Alice <alice@example.com>\nBob <bob@example.com>\n",
      "README.md": "# X\n\n## Maintainers\n\n- Alice\n"},
     set()),
    ("roles_documented",
     {"OWNERS": "# owners\napprovers:\n  - alice\nreviewers:\n  - bob\n",
      "README.md": "# X\n\n## Roles and responsibilities\n\nAlice owns the model.\n"},
     {("OWNERS", 2, "found"), ("README.md", 3, "found")}),
]


@pytest.mark.parametrize(("detector", "files", "expected"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_precision_case(make_repo: MakeRepo, detector: str, files: Files,
                        expected: Expected) -> None:
    assert _found(make_repo, detector, files) == expected


def test_docs_folder_holds_project_documents_but_tutorial_code() -> None:
    assert not in_tutorial_folder("docs/CODEOWNERS")
    assert not in_tutorial_folder("docs/CONTRIBUTING.md")
    assert not in_tutorial_folder("docs/data_card.md")
    assert in_tutorial_folder("docs/train.py")
    assert in_tutorial_folder("docs/examples/README.md")
    assert in_tutorial_folder("examples/CONTRIBUTING.md")
    assert context_of("docs/CODEOWNERS") is Context.PROJECT
    assert context_of("docs/tutorial/train.py") is Context.TUTORIAL


@pytest.mark.parametrize(("detector", "files", "where"), [
    ("codeowners_present", {"docs/CODEOWNERS": "* @team\n"}, "docs/CODEOWNERS"),
    ("workflow_documented", {"docs/CONTRIBUTING.md": "# Contributing\n"},
     "docs/CONTRIBUTING.md"),
    ("data_card_present", {"docs/data_card.md": "# Data card\n"}, "docs/data_card.md"),
])
def test_governance_files_in_docs_are_credited(make_repo: MakeRepo, detector: str,
                                               files: Files, where: str) -> None:
    findings = REGISTRY[detector].detect(RepoTree(make_repo(files)))
    assert [(f.file, f.context) for f in findings] == [(where, Context.PROJECT)]


def test_code_in_docs_stays_a_tutorial(make_repo: MakeRepo) -> None:
    files: Files = {"docs/train.py": "import mlflow\nmlflow.log_metric('a', 1)\n"}
    findings = REGISTRY["experiment_tracking_used"].detect(RepoTree(make_repo(files)))
    assert [(f.file, f.context) for f in findings] == [("docs/train.py", Context.TUTORIAL)]


TRAIN_EXAMPLE = "import mlflow\nmlflow.log_params({'n': 10})\n"


def test_a_subpackage_named_example_is_the_projects_code(make_repo: MakeRepo) -> None:
    # a Dagster code location whose jobs live in the package's ``example`` subpackage
    files: Files = {
        "code/repo/dagster_repo/__init__.py": "",
        "code/repo/dagster_repo/repo.py": "from dagster_repo.example.jobs import train\n",
        "code/repo/dagster_repo/example/__init__.py": "",
        "code/repo/dagster_repo/example/training.py": TRAIN_EXAMPLE,
    }
    findings = REGISTRY["experiment_tracking_used"].detect(RepoTree(make_repo(files)))
    assert [(f.file, f.context) for f in findings] == [
        ("code/repo/dagster_repo/example/training.py", Context.PROJECT)]


@pytest.mark.parametrize("files", [
    # near misses: a top-level examples package; an example folder in a package that is not
    # a package itself; one under a folder that is no package; a docs subpackage
    {"examples/__init__.py": "", "examples/training.py": TRAIN_EXAMPLE},
    {"pkg/__init__.py": "", "pkg/example/training.py": TRAIN_EXAMPLE},
    {"src/example/__init__.py": "", "src/example/training.py": TRAIN_EXAMPLE},
    {"pkg/__init__.py": "", "pkg/docs/__init__.py": "", "pkg/docs/training.py": TRAIN_EXAMPLE},
    # a library's examples subpackage that only its tests import
    {"ray/__init__.py": "", "ray/tune/__init__.py": "", "ray/tune/examples/__init__.py": "",
     "ray/tune/examples/training.py": TRAIN_EXAMPLE,
     "ray/tune/tests/test_examples.py": "from ray.tune.examples import training\n"},
])
def test_other_example_folders_stay_tutorials(make_repo: MakeRepo, files: Files) -> None:
    findings = REGISTRY["experiment_tracking_used"].detect(RepoTree(make_repo(files)))
    assert {(f.file or "").rsplit("/", 1)[-1] for f in findings} == {"training.py"}
    assert {f.context for f in findings} == {Context.TUTORIAL}


def test_a_subpackage_named_example_imported_relatively(make_repo: MakeRepo) -> None:
    files: Files = {
        "app/__init__.py": "", "app/definitions.py": "from .demo import training\n",
        "app/demo/__init__.py": "", "app/demo/training.py": TRAIN_EXAMPLE,
    }
    findings = REGISTRY["experiment_tracking_used"].detect(RepoTree(make_repo(files)))
    assert [(f.file, f.context) for f in findings] == [("app/demo/training.py", Context.PROJECT)]


def test_packaged_tutorial_folders_by_path() -> None:
    files = ["a/__init__.py", "a/Demo/__init__.py", "a/Demo/x/examples/__init__.py",
             "a/Demo/x/__init__.py", "b/examples/__init__.py"]
    assert packaged_tutorial_folders(files) == {"a/Demo", "a/Demo/x/examples"}
    assert context_of("a/Demo/x/examples/t.py", frozenset({"a/Demo", "a/Demo/x/examples"})) \
        is Context.PROJECT
    # only the folders named are lifted: a tutorial folder under one stays a tutorial
    assert context_of("a/Demo/tutorial/t.py", frozenset({"a/Demo"})) is Context.TUTORIAL

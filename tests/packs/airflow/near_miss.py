# ok: pipeline_defined
from airflow.models import Variable
bucket = Variable.get("bucket")

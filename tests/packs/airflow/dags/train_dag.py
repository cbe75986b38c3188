# expect: pipeline_defined
from airflow import DAG
from airflow.operators.python import PythonOperator
with DAG("retrain", schedule="@daily") as dag:
    PythonOperator(task_id="train", python_callable=print)

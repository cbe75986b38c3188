# expect: pipeline_defined
from prefect import flow, task
@task
def train(): ...
@flow
def retrain():
    train()

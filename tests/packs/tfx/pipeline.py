# expect: pipeline_defined
from tfx.orchestration import pipeline
from tfx.components import CsvExampleGen, Trainer
p = pipeline.Pipeline(pipeline_name="churn", components=[CsvExampleGen(input_base="data")])
